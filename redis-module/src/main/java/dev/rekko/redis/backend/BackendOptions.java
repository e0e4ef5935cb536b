package dev.rekko.redis.backend;

import dev.rekko.redis.tls.BackendTls;
import java.time.Duration;

/**
 * How a node connects to backend Redis servers; the node fills this from {@code rekko.backend}.
 *
 * @param durableWrites how long a write command waits for a replica to confirm it ({@code WAIT 1
 *     <ms>}) before its client is answered; zero (or null) turns durable writes off, the default. See
 *     {@link DurableWrites}: a write that no replica confirms in time is answered {@code NOREPLICAS}
 *     although it did run on the master.
 * @param tls TLS to servers that listen on {@code tls-port} ({@code rekko.backend.tls}); null: plain TCP,
 *     the default. Every connection to a backend server uses it: the data path's, the mover's, the admin
 *     client's, the health probes' and pub/sub's.
 */
public record BackendOptions(
    String user,
    String password,
    int connectionsPerServer,
    Duration connectTimeout,
    Duration receiveTimeout,
    Duration reconnectBackoffMin,
    Duration reconnectBackoffMax,
    Duration pingPeriod,
    Duration durableWrites,
    BackendTls tls) {

  /** The defaults of {@code rekko.backend}, for tests and tools that build a pool without a node. */
  public static BackendOptions defaults() {
    return new BackendOptions("", "", 2, Duration.ofSeconds(3), Duration.ofSeconds(30),
        Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(5));
  }

  public BackendOptions {
    if (connectionsPerServer < 1) {
      throw new IllegalArgumentException("connectionsPerServer must be at least 1");
    }
    durableWrites = durableWrites == null ? Duration.ZERO : durableWrites;
    if (durableWrites.isNegative()) {
      throw new IllegalArgumentException("durableWrites must not be negative");
    }
  }

  /** Plain TCP. */
  public BackendOptions(String user, String password, int connectionsPerServer, Duration connectTimeout,
      Duration receiveTimeout, Duration reconnectBackoffMin, Duration reconnectBackoffMax, Duration pingPeriod,
      Duration durableWrites) {
    this(user, password, connectionsPerServer, connectTimeout, receiveTimeout, reconnectBackoffMin,
        reconnectBackoffMax, pingPeriod, durableWrites, null);
  }

  /** Durable writes off, plain TCP. */
  public BackendOptions(String user, String password, int connectionsPerServer, Duration connectTimeout,
      Duration receiveTimeout, Duration reconnectBackoffMin, Duration reconnectBackoffMax, Duration pingPeriod) {
    this(user, password, connectionsPerServer, connectTimeout, receiveTimeout, reconnectBackoffMin,
        reconnectBackoffMax, pingPeriod, Duration.ZERO);
  }

  public BackendOptions withReceiveTimeout(Duration timeout) {
    return new BackendOptions(user, password, connectionsPerServer, connectTimeout, timeout,
        reconnectBackoffMin, reconnectBackoffMax, pingPeriod, durableWrites, tls);
  }

  /** Durable writes with this confirmation timeout (rounded up to whole milliseconds); zero or null: off. */
  public BackendOptions withDurableWrites(Duration timeout) {
    return new BackendOptions(user, password, connectionsPerServer, connectTimeout, receiveTimeout,
        reconnectBackoffMin, reconnectBackoffMax, pingPeriod, timeout, tls);
  }

  /** TLS to every backend server with this client context; null: plain TCP. */
  public BackendOptions withTls(BackendTls tls) {
    return new BackendOptions(user, password, connectionsPerServer, connectTimeout, receiveTimeout,
        reconnectBackoffMin, reconnectBackoffMax, pingPeriod, durableWrites, tls);
  }

  /** True when writes are answered only once a replica confirms them. */
  public boolean durable() {
    return !durableWrites.isZero();
  }
}
