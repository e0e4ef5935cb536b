package dev.rekko.redis.backend;

/**
 * When each command in flight on a connection was written, beside the {@link Pipeline}'s queue of
 * handlers and in the same order: a ring of longs, so measuring allocates nothing per command. A command
 * is stamped by the first socket write after it was queued ({@link #stamp}, one clock read per write, not
 * per command); a reply takes the oldest stamp. Guarded by the connection's lock.
 */
final class SendTimes {
  /** {@link #poll}: the command was never written (cannot happen for a command that was answered). */
  static final long NOT_SENT = Long.MIN_VALUE;

  private long[] ring = new long[64];
  private int head;
  private int size;
  /** The newest entries not written yet. */
  private int unstamped;

  /** {@code n} commands were queued. */
  void added(int n) {
    while (size + n > ring.length) {
      grow();
    }
    size += n;
    unstamped += n;
  }

  /** Whether commands wait for their stamp (the caller reads the clock only then). */
  boolean anyUnstamped() {
    return unstamped > 0;
  }

  /** Every command not stamped yet was written at {@code now}. */
  void stamp(long now) {
    int mask = ring.length - 1;
    for (int i = size - unstamped; i < size; i++) {
      ring[(head + i) & mask] = now;
    }
    unstamped = 0;
  }

  /** The send time of the oldest command in flight, which has just been answered. */
  long poll() {
    boolean stamped = unstamped < size;
    long t = ring[head];
    head = (head + 1) & (ring.length - 1);
    size--;
    unstamped = Math.min(unstamped, size);
    return stamped ? t : NOT_SENT;
  }

  void clear() {
    head = 0;
    size = 0;
    unstamped = 0;
  }

  private void grow() {
    long[] bigger = new long[ring.length * 2];
    int mask = ring.length - 1;
    for (int i = 0; i < size; i++) {
      bigger[i] = ring[(head + i) & mask];
    }
    ring = bigger;
    head = 0;
  }
}
