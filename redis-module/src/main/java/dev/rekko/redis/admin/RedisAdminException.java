package dev.rekko.redis.admin;

import java.io.IOException;

/** A failed admin call; the message names the server and says what went wrong. */
public final class RedisAdminException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, for callers that react differently (e.g. an HTTP status). */
  public enum Kind {
    /** No connection: refused, timed out, unknown host, or the connection broke. */
    UNREACHABLE,
    /** The server refused the credentials, or wants some and got none. */
    AUTH,
    /** The server answered a command with an error. */
    ERROR_REPLY,
    /** The server answered with something an admin call cannot use. */
    UNEXPECTED_REPLY
  }

  private final String server;
  private final Kind kind;

  public RedisAdminException(String server, Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.server = server;
    this.kind = kind;
  }

  /** {@code host:port}. */
  public String server() {
    return server;
  }

  public Kind kind() {
    return kind;
  }
}
