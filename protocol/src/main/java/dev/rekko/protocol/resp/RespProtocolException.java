package dev.rekko.protocol.resp;

/**
 * Malformed input: the connection it came from cannot be parsed any further and must be closed.
 * {@link #getMessage()} is the error text to send the client before closing, as Redis does, without
 * the leading {@code '-'}; for requests it is exactly what Redis 7.0 would reply.
 */
public final class RespProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  static final String PREFIX = "ERR Protocol error: ";

  public RespProtocolException(String message) {
    // No stack trace: this reports bad input, not a bug, and hostile clients can trigger it cheaply.
    super(message, null, false, false);
  }

  static RespProtocolException protocol(String detail) {
    return new RespProtocolException(PREFIX + detail);
  }
}
