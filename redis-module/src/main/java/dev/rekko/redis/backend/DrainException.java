package dev.rekko.redis.backend;

/**
 * A drain could not prove that everything sent to a server can no longer run there: an earlier
 * connection that failed with commands unanswered could not be killed (the server did not answer, or
 * refused CLIENT KILL), or its id is unknown. Asking again later may succeed.
 */
public final class DrainException extends RuntimeException {
  public DrainException(String message) {
    super(message, null, false, false);
  }
}
