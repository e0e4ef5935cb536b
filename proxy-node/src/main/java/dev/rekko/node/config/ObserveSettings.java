package dev.rekko.node.config;

import com.typesafe.config.ConfigException;

/**
 * What the node observes of its traffic ({@code dev.rekko.node.observe}): its own slow log
 * ({@code rekko.proxy.slowlog-*}, Redis's names), hot keys and big keys ({@code rekko.observe}), and the
 * format of its log lines ({@code rekko.log.format}).
 */
public record ObserveSettings(
    /** Microseconds from decode to reply at or above which a command is logged; -1 = off, 0 = every command. */
    long slowlogSlowerThan,
    /** Slow-log entries kept, newest first. */
    int slowlogMaxLen,
    boolean hotKeysEnabled,
    /** The share of commands whose keys go into the hot-keys sketch, (0, 1]. */
    double hotKeysSampleRate,
    /** Keys the sketch tracks; a power of two (the value read is rounded up to one). */
    int hotKeysCapacity,
    /** A request or reply of more bytes than this is recorded as a big key. */
    long bigKeysThreshold,
    /** Big-key records kept, newest first. */
    int bigKeysMaxLen,
    LogFormat logFormat) {

  /** {@code rekko.log.format}: one plain line per event, or one JSON object per line (logback's JsonEncoder). */
  public enum LogFormat { TEXT, JSON }

  /** The defaults of reference.conf (tests and tools). */
  public static ObserveSettings defaults() {
    return new ObserveSettings(10_000, 128, true, 0.01, 256, 1024 * 1024, 128, LogFormat.TEXT);
  }

  static ObserveSettings read(ConfigReader r) {
    double rate = fraction(r, "rekko.observe.hotkeys.sample-rate");
    int capacity = Integer.highestOneBit(r.integer("rekko.observe.hotkeys.capacity", 8, 1 << 20) * 2 - 1);
    return new ObserveSettings(
        r.whole("rekko.proxy.slowlog-log-slower-than", -1, Long.MAX_VALUE),
        r.integer("rekko.proxy.slowlog-max-len", 0, 1_000_000),
        r.bool("rekko.observe.hotkeys.enabled"),
        rate,
        capacity,
        r.bytes("rekko.observe.bigkeys.threshold", 1, Long.MAX_VALUE),
        r.integer("rekko.observe.bigkeys.max-len", 0, 1_000_000),
        r.choice("rekko.log.format", LogFormat.class, LogFormat.TEXT));
  }

  private static double fraction(ConfigReader r, String path) {
    double v;
    try {
      v = r.config().getDouble(path);
    } catch (ConfigException e) {
      r.problem(path, "expected a number greater than 0 and at most 1");
      return 0.01;
    }
    if (!(v > 0 && v <= 1)) {
      r.problem(path, v + " is out of range, must be greater than 0 and at most 1");
      return 0.01;
    }
    return v;
  }
}
