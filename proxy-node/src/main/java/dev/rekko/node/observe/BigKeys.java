package dev.rekko.node.observe;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests and replies bigger than {@code rekko.observe.bigkeys.threshold}: the newest
 * {@code max-len} of them, and how many there were since the node started (the
 * {@code rekko_bigkeys_total{direction}} counter). The data path compares a size with
 * {@link #thresholdBytes()}; only a big one comes here.
 */
public final class BigKeys {
  public enum Direction {
    REQUEST, REPLY;

    /** The lower-case name the API and the metric use. */
    public String label() {
      return this == REQUEST ? "request" : "reply";
    }
  }

  /** One big request or reply; {@code key} as {@link KeyText} shows it, empty when the command has none. */
  public record Record(String key, String command, long bytes, Direction direction, long epochMillis) {}

  private final long threshold;
  private final int maxLen;
  private final ArrayDeque<Record> records = new ArrayDeque<>();
  private final LongAdder requests = new LongAdder();
  private final LongAdder replies = new LongAdder();

  public BigKeys(long thresholdBytes, int maxLen) {
    this.threshold = thresholdBytes;
    this.maxLen = maxLen;
  }

  public long thresholdBytes() {
    return threshold;
  }

  public void add(String key, String command, long bytes, Direction direction) {
    (direction == Direction.REQUEST ? requests : replies).increment();
    Record r = new Record(key, command, bytes, direction, System.currentTimeMillis());
    synchronized (records) {
      records.addFirst(r);
      while (records.size() > maxLen) {
        records.removeLast();
      }
    }
  }

  /** How many requests or replies were big since the node started (a counter). */
  public long bigKeys(Direction direction) {
    return (direction == Direction.REQUEST ? requests : replies).sum();
  }

  /** The records kept, newest first. */
  public List<Record> newest() {
    synchronized (records) {
      return List.copyOf(records);
    }
  }
}
