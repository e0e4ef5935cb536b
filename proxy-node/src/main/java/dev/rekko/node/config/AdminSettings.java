package dev.rekko.node.config;

/** {@code rekko.admin}: the HTTP API, metrics and console listener. */
public record AdminSettings(
    String host,
    /** Zero binds a free port. */
    int port,
    /** Bearer token mutating calls must carry; empty = none required. */
    String token,
    /** How long a mutating call waits for the coordinator. */
    java.time.Duration requestTimeout) {

  public AdminSettings(String host, int port, String token) {
    this(host, port, token, java.time.Duration.ofSeconds(60));
  }

  public boolean tokenRequired() {
    return !token.isEmpty();
  }
}
