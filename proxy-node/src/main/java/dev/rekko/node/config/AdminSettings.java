package dev.rekko.node.config;

/** {@code rekko.admin}: the HTTP API, metrics and console listener. */
public record AdminSettings(
    String host,
    /** Zero binds a free port. */
    int port,
    /** Bearer token mutating calls must carry; empty = none required. */
    String token) {

  public boolean tokenRequired() {
    return !token.isEmpty();
  }
}
