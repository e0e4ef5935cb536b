package dev.rekko.node.stats;

import java.util.ArrayList;
import java.util.List;

/**
 * The node's last {@link #CAPACITY} one-second samples, oldest first ({@code GET /api/history}): commands
 * per second, the p99 latency of all commands answered in that second, and client connections. Written by
 * the stats sampler once a second, read by the HTTP API; a ring of plain arrays.
 */
public final class History {
  public static final int CAPACITY = 300;

  /** One second: {@code t} epoch milliseconds at its end. */
  public record Sample(long t, long ops, long p99Usec, long sessions) {}

  private final long[] t = new long[CAPACITY];
  private final long[] ops = new long[CAPACITY];
  private final long[] p99 = new long[CAPACITY];
  private final long[] sessions = new long[CAPACITY];
  private int next;
  private int size;

  synchronized void add(long epochMillis, long opsPerSecond, long p99Usec, long sessionsAlive) {
    t[next] = epochMillis;
    ops[next] = opsPerSecond;
    p99[next] = p99Usec;
    sessions[next] = sessionsAlive;
    next = (next + 1) % CAPACITY;
    size = Math.min(size + 1, CAPACITY);
  }

  /** The samples, oldest first. */
  public synchronized List<Sample> samples() {
    List<Sample> out = new ArrayList<>(size);
    int first = (next - size + CAPACITY) % CAPACITY;
    for (int i = 0; i < size; i++) {
      int k = (first + i) % CAPACITY;
      out.add(new Sample(t[k], ops[k], p99[k], sessions[k]));
    }
    return out;
  }
}
