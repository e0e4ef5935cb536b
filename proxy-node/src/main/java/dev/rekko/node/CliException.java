package dev.rekko.node;

/** A failure the user can act on; the command line prints its message without a stack trace. */
public final class CliException extends RuntimeException {
  public CliException(String message) {
    super(message);
  }

  public CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
