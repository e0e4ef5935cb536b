package dev.rekko.redis.backend;

/**
 * Told, on a backend connection's I/O thread, how long each command took on it: from the socket write that
 * carried it to its reply (latency metrics per server). Must be cheap and must not block: it runs under the
 * connection's lock, once per reply.
 */
@FunctionalInterface
public interface BackendTimings {
  /** Measures nothing: the connection then keeps no send times at all. */
  BackendTimings NONE = nanos -> { };

  void replied(long nanos);
}
