package dev.rekko.node.proxy;

import java.util.concurrent.TimeUnit;

/**
 * What the listener does when {@code accept} fails, typically with "Too many open files" (EMFILE):
 * the pending connection stays in the kernel's backlog and the selector reports it again at once, so
 * retrying at once spins a core and writes the same line to the log thousands of times a second.
 * Instead accepting stops for a while, {@link #MIN_PAUSE_NANOS} doubling up to
 * {@link #MAX_PAUSE_NANOS} while failures go on; an accept that works ends the burst. Only the first
 * failure of a burst is logged, and at most one burst every {@link #LOG_EVERY_NANOS} (when descriptors
 * hover at the limit, bursts come and go quickly). Not thread-safe: the acceptor's thread only.
 */
final class AcceptBackoff {
  static final long MIN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  static final long MAX_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  /**
   * How long to stop accepting, and whether to log this failure; {@code unlogged} is how many failures
   * were not logged since the last line that was.
   */
  record Pause(long nanos, boolean log, long unlogged) {}

  // Loads Pause with this class: out of descriptors, a class still to be read from a classpath folder
  // could not be opened just when it is needed.
  private static final Pause NONE = new Pause(0, false, 0);

  private long pause;
  private long failures;
  private long unlogged;
  private long lastLog;
  private boolean logged;

  /** An accept failed at {@code now} (nanoTime). */
  Pause failed(long now) {
    boolean first = failures == 0;
    failures++;
    pause = first ? MIN_PAUSE_NANOS : Math.min(MAX_PAUSE_NANOS, pause * 2);
    boolean log = first && (!logged || now - lastLog >= LOG_EVERY_NANOS);
    Pause p = new Pause(pause, log, unlogged);
    if (log) {
      logged = true;
      lastLog = now;
      unlogged = 0;
    } else {
      unlogged++;
    }
    return p;
  }

  /** An accept worked: ends a burst. Returns how many accepts failed in it (0: there was none). */
  long accepted() {
    long n = failures;
    failures = 0;
    pause = 0;
    return n;
  }
}
