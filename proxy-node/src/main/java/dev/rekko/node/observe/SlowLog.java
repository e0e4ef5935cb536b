package dev.rekko.node.observe;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The node's slow log: commands whose time from decode to complete reply reached
 * {@code slowlog-log-slower-than} microseconds, at most {@code slowlog-max-len} of them, newest first,
 * as Redis keeps its own. Both settings change at run time (CONFIG SET). The data path reads
 * {@link #thresholdNanos()} once per write of replies (one volatile read); only a command that is slow
 * takes the lock, to add its entry.
 */
public final class SlowLog {
  /** One logged command; {@code backend} is {@code host:port}, empty when the node answered it itself. */
  public record Entry(long id, long unixSeconds, long durationMicros, byte[][] args, String client,
      String clientName, String backend) {}

  private volatile long thresholdNanos;
  private volatile long slowerThan;
  private volatile long maxLen;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long nextId;

  public SlowLog(long slowerThanMicros, long maxLen) {
    slowerThan(slowerThanMicros);
    this.maxLen = maxLen;
  }

  /** Nanoseconds at or above which a command is logged; {@link Long#MAX_VALUE} when off. */
  public long thresholdNanos() {
    return thresholdNanos;
  }

  /** {@code slowlog-log-slower-than}: microseconds, -1 = off. */
  public long slowerThan() {
    return slowerThan;
  }

  public void slowerThan(long micros) {
    slowerThan = micros;
    thresholdNanos = micros < 0 ? Long.MAX_VALUE : micros > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE - 1 : micros * 1000;
  }

  public long maxLen() {
    return maxLen;
  }

  /** {@code slowlog-max-len}: entries beyond it are dropped, oldest first. */
  public synchronized void maxLen(long max) {
    maxLen = max;
    trim();
  }

  /** Adds an entry for a command that took {@code nanos}, if it is still slow by the current threshold. */
  public synchronized void add(long nanos, byte[][] args, String client, String clientName, String backend) {
    if (nanos < thresholdNanos) {
      return;
    }
    entries.addFirst(new Entry(nextId++, System.currentTimeMillis() / 1000, nanos / 1000, args, client,
        clientName == null ? "" : clientName, backend == null ? "" : backend));
    trim();
  }

  private void trim() {
    while (entries.size() > maxLen) {
      entries.removeLast();
    }
  }

  public synchronized int len() {
    return entries.size();
  }

  /** SLOWLOG RESET: the entries go, the ids go on (as in Redis). */
  public synchronized void reset() {
    entries.clear();
  }

  /** The newest {@code count} entries (all for a negative count), newest first. */
  public synchronized List<Entry> newest(long count) {
    List<Entry> out = new ArrayList<>((int) Math.min(entries.size(), count < 0 ? Integer.MAX_VALUE : count));
    Iterator<Entry> it = entries.iterator();
    while (it.hasNext() && (count < 0 || out.size() < count)) {
      out.add(it.next());
    }
    return out;
  }
}
