package dev.rekko.redis.backend;

/**
 * The timers of a {@link BackendConnection}'s lifecycle, checked on every tick of its I/O thread: the
 * deadline of a connect under way ({@code connectTimeout}: TCP, TLS and the Redis handshake together),
 * the reply deadline of the oldest command, the idle {@code PING}, and when to try again after a failure:
 * after {@code reconnectBackoffMin}, doubling with each further failure up to {@code reconnectBackoffMax};
 * only a connection that came up (its handshake answered) starts again from the minimum, so a refused
 * handshake does not spin. The connection's I/O thread only.
 */
final class Reconnects {
  /** What a tick found due. */
  enum Due { NOTHING, PING, RECONNECT, FAIL }

  private final BackendOptions options;
  private long connectStarted;
  private long reconnectAt;
  private long backoffNanos;
  private long lastActivity;
  /** Why the last {@link Due#FAIL}. */
  private String reason;

  Reconnects(BackendOptions options) {
    this.options = options;
    this.backoffNanos = options.reconnectBackoffMin().toNanos();
    // A tick can see the connection before its first attempt has started; it must not read a zero
    // start time and call the connect timed out.
    this.connectStarted = System.nanoTime();
  }

  /** An attempt starts now. */
  void connecting(long now) {
    connectStarted = now;
  }

  /** Bytes came, or the socket connected: the idle PING waits a full period from now. */
  void active(long now) {
    lastActivity = now;
  }

  /**
   * While connecting: {@link Due#FAIL} once {@code connectTimeout} has passed ({@link #reason} says which
   * step did not finish).
   */
  Due connectingTick(long now, boolean handshake, boolean tlsHandshaking) {
    if (now - connectStarted <= options.connectTimeout().toNanos()) {
      return Due.NOTHING;
    }
    reason = (handshake ? "handshake not answered within "
        : tlsHandshaking ? "TLS handshake not done within " : "connect timed out after ")
        + options.connectTimeout().toMillis() + " ms";
    return Due.FAIL;
  }

  /**
   * While up: {@link Due#FAIL} when the oldest command has waited longer than {@code limit}, {@link Due#PING}
   * when nothing has happened for {@code pingPeriod}.
   */
  Due upTick(long now, boolean idle, long oldestSince, long limit) {
    if (!idle && now - oldestSince > limit) {
      reason = "no reply within " + limit / 1_000_000 + " ms";
      return Due.FAIL;
    }
    if (idle && now - lastActivity > options.pingPeriod().toNanos()) {
      lastActivity = now;
      return Due.PING;
    }
    return Due.NOTHING;
  }

  /** While down: {@link Due#RECONNECT} once the backoff has passed. */
  Due downTick(long now) {
    return now - reconnectAt >= 0 ? Due.RECONNECT : Due.NOTHING;
  }

  String reason() {
    return reason;
  }

  /** The incarnation failed: the next attempt waits, and the one after longer. */
  void failed(long now) {
    reconnectAt = now + backoffNanos;
    backoffNanos = Math.min(backoffNanos * 2, options.reconnectBackoffMax().toNanos());
  }

  /** The connection came up. */
  void up() {
    backoffNanos = options.reconnectBackoffMin().toNanos();
  }
}
