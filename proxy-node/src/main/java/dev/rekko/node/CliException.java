package dev.rekko.node;

/** A failure the user can act on; the command line prints its message without a stack trace. */
final class CliException extends RuntimeException {
  CliException(String message) {
    super(message);
  }

  CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
