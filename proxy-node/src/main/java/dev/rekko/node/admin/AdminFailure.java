package dev.rekko.node.admin;

/**
 * A call that did not succeed, with the line to print and the exit code: 1 when the node answered with
 * an error (or did not answer in time), 2 when it could not be reached — the code of a usage error,
 * because in both cases the command certainly did nothing to the cluster.
 */
final class AdminFailure extends RuntimeException {
  static final int API_ERROR = 1;
  static final int UNREACHABLE = 2;

  private final int exitCode;

  private AdminFailure(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** The node answered {@code status} with {@code message} (from its {@code {"error": ...}} body). */
  static AdminFailure api(int status, String message) {
    return new AdminFailure(message + " (HTTP " + status + ")", API_ERROR, null);
  }

  static AdminFailure unreachable(String message, Throwable cause) {
    return new AdminFailure(message, UNREACHABLE, cause);
  }

  /** The request went out but no answer came back in time: it may or may not have taken effect. */
  static AdminFailure noAnswer(String message) {
    return new AdminFailure(message, API_ERROR, null);
  }

  /** A 2xx answer the client cannot make sense of, e.g. a body that is not JSON. */
  static AdminFailure badAnswer(String message) {
    return new AdminFailure(message, API_ERROR, null);
  }

  int exitCode() {
    return exitCode;
  }
}
