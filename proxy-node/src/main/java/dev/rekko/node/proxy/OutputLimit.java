package dev.rekko.node.proxy;

import dev.rekko.node.config.ClientLimits;

/**
 * Redis's {@code client-output-buffer-limit} for one client: over the hard limit it must be closed at
 * once; over the soft limit it may stay for the soft seconds, counted from the first check that saw it
 * over and reset by any check that sees it under. Session thread only.
 */
final class OutputLimit {
  private final long hard;
  private final long soft;
  private final long softNanos;
  private long softSince;

  OutputLimit(ClientLimits limits) {
    this.hard = limits.outputHard();
    this.soft = limits.outputSoft();
    this.softNanos = limits.outputSoftTime().toNanos();
  }

  /** Null while a client owing {@code owed} bytes at {@code now} is within the limits, else why not. */
  String check(long owed, long now) {
    if (hard > 0 && owed > hard) {
      return "the hard limit of " + hard + " bytes";
    }
    if (soft > 0 && owed > soft) {
      if (softSince == 0) {
        softSince = now | 1;
      } else if (now - softSince > softNanos) {
        return "the soft limit of " + soft + " bytes for more than " + softNanos / 1_000_000_000 + " s";
      }
    } else {
      softSince = 0;
    }
    return null;
  }

  /** After a write: a client back under the soft limit starts its time anew. Cheap, no clock. */
  void wrote(long owed) {
    if (softSince != 0 && owed <= soft) {
      softSince = 0;
    }
  }

  boolean none() {
    return hard == 0 && soft == 0;
  }
}
