package dev.rekko.redis.migrate;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Slows a mover down: at most {@code maxKeysPerSecond} keys per second, and at least
 * {@code pauseBetweenBatches} between two MIGRATEs. Both can be changed at any time from any thread
 * (an operator turning the speed down mid-migration); the next batch obeys the new values.
 *
 * <p>The rate is kept as "the time the next key may go": a batch of n keys pushes that time n/rate
 * seconds ahead, so one batch may start at once and the average over a walk stays at the cap.
 */
public final class Throttle {
  /** Long pauses are slept in slices so that a cancelled walk stops promptly. */
  private static final long SLICE_NANOS = 100_000_000L;

  private final MoverClock clock;
  private long maxKeysPerSecond;
  private long pauseNanos;
  private long nextFreeNanos;
  private long lastBatchNanos;
  private boolean anyBatch;
  private long pausedNanos;

  Throttle(MoverClock clock, long maxKeysPerSecond, Duration pauseBetweenBatches) {
    this.clock = clock;
    setMaxKeysPerSecond(maxKeysPerSecond);
    setPauseBetweenBatches(pauseBetweenBatches);
  }

  /** 0 turns the key rate cap off. */
  public synchronized void setMaxKeysPerSecond(long keysPerSecond) {
    if (keysPerSecond < 0) {
      throw new IllegalArgumentException("maxKeysPerSecond must be >= 0: " + keysPerSecond);
    }
    if (keysPerSecond == maxKeysPerSecond) {
      return; // the coordinator repeats the cap now and then (MigrationControl.nudge)
    }
    // A debt booked at the old rate would otherwise hold a raised cap back until it is paid.
    nextFreeNanos = Math.min(nextFreeNanos, clock.nanoTime());
    maxKeysPerSecond = keysPerSecond;
  }

  public synchronized long maxKeysPerSecond() {
    return maxKeysPerSecond;
  }

  /** {@link Duration#ZERO} turns the pause off. */
  public synchronized void setPauseBetweenBatches(Duration pause) {
    if (pause.isNegative()) {
      throw new IllegalArgumentException("pause must not be negative: " + pause);
    }
    pauseNanos = pause.toNanos();
  }

  public synchronized Duration pauseBetweenBatches() {
    return Duration.ofNanos(pauseNanos);
  }

  /** Total time this throttle has made movers wait, for progress reports. */
  public synchronized Duration paused() {
    return Duration.ofNanos(pausedNanos);
  }

  /** Waits until a batch of {@code keys} may go, then counts it as gone. */
  void acquire(int keys, BooleanSupplier cancelled) throws InterruptedException {
    while (true) {
      long wait = reserveOrWait(keys);
      if (wait <= 0) {
        return;
      }
      if (cancelled.getAsBoolean()) {
        throw new CancellationException("cancelled while throttled");
      }
      long slice = Math.min(wait, SLICE_NANOS);
      clock.sleepNanos(slice);
      synchronized (this) {
        pausedNanos += slice;
      }
    }
  }

  /** Books the batch and returns 0 when it may go now, otherwise how long to wait before asking again. */
  private synchronized long reserveOrWait(int keys) {
    long now = clock.nanoTime();
    long wait = 0;
    if (maxKeysPerSecond > 0 && anyBatch) {
      wait = nextFreeNanos - now;
    }
    if (pauseNanos > 0 && anyBatch) {
      wait = Math.max(wait, lastBatchNanos + pauseNanos - now);
    }
    if (wait > 0) {
      return wait;
    }
    if (maxKeysPerSecond > 0) {
      long start = anyBatch ? Math.max(nextFreeNanos, now) : now;
      nextFreeNanos = start + keys * 1_000_000_000L / maxKeysPerSecond;
    }
    lastBatchNanos = now;
    anyBatch = true;
    return 0;
  }
}
