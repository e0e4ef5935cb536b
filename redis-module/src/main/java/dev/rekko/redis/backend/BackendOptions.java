package dev.rekko.redis.backend;

import java.time.Duration;

/** How a node connects to backend Redis servers; the node fills this from {@code rekko.backend}. */
public record BackendOptions(
    String user,
    String password,
    int connectionsPerServer,
    Duration connectTimeout,
    Duration receiveTimeout,
    Duration reconnectBackoffMin,
    Duration reconnectBackoffMax,
    Duration pingPeriod) {

  /** The defaults of {@code rekko.backend}, for tests and tools that build a pool without a node. */
  public static BackendOptions defaults() {
    return new BackendOptions("", "", 2, Duration.ofSeconds(3), Duration.ofSeconds(30),
        Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(5));
  }

  public BackendOptions {
    if (connectionsPerServer < 1) {
      throw new IllegalArgumentException("connectionsPerServer must be at least 1");
    }
  }

  public BackendOptions withReceiveTimeout(Duration timeout) {
    return new BackendOptions(user, password, connectionsPerServer, connectTimeout, timeout,
        reconnectBackoffMin, reconnectBackoffMax, pingPeriod);
  }
}
