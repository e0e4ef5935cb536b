package dev.rekko.node.stats;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and latency histogram of one command. Recording touches only LongAdders and an HdrHistogram
 * {@link Recorder} (wait-free, allocation-free); the sampler drains the recorder into a window of the
 * last one to two minutes, from which percentiles are read. Counts and total time are since start,
 * percentiles over the window — the convention of Prometheus summaries.
 */
final class CommandRecorder implements CommandStats {
  // 1 µs resolution, values clamped to 60 s, 2 significant digits: about 20 KiB per histogram.
  static final long LOWEST_NANOS = 1_000;
  static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final int DIGITS = 2;

  private final String name;
  private final LongAdder calls = new LongAdder();
  private final LongAdder fails = new LongAdder();
  private final LongAdder nanos = new LongAdder();
  private final Recorder recorder = new Recorder(LOWEST_NANOS, HIGHEST_NANOS, DIGITS);

  // Guarded by this: only the sampler and snapshots touch them.
  private final Histogram interval = histogram();
  private Histogram current = histogram();
  private Histogram previous = histogram();
  private final Histogram window = histogram();

  CommandRecorder(String name) {
    this.name = name;
  }

  @Override
  public void record(long latencyNanos, boolean error) {
    calls.increment();
    if (error) {
      fails.increment();
    }
    nanos.add(latencyNanos);
    recorder.recordValue(Math.max(0, Math.min(latencyNanos, HIGHEST_NANOS)));
  }

  String name() {
    return name;
  }

  long calls() {
    return calls.sum();
  }

  long fails() {
    return fails.sum();
  }

  /** Back to zero (CONFIG RESETSTAT); a command recorded meanwhile may be counted or not. */
  synchronized void reset() {
    calls.reset();
    fails.reset();
    nanos.reset();
    recorder.reset();
    current.reset();
    previous.reset();
  }

  synchronized void drain() {
    recorder.getIntervalHistogramInto(interval);
    current.add(interval);
  }

  /** Starts a new window half: percentiles then cover the previous and the current period. */
  synchronized void rotate() {
    drain();
    Histogram oldest = previous;
    previous = current;
    oldest.reset();
    current = oldest;
  }

  synchronized StatsSnapshot.CommandSnapshot snapshot() {
    drain();
    window.reset();
    window.add(previous);
    window.add(current);
    long n = calls.sum();
    long totalUsec = nanos.sum() / 1_000;
    return new StatsSnapshot.CommandSnapshot(
        name,
        n,
        fails.sum(),
        totalUsec,
        n == 0 ? 0 : totalUsec / n,
        usecAt(50.0),
        usecAt(99.0),
        usecAt(99.9),
        window.getTotalCount() == 0 ? 0 : window.getMaxValue() / 1_000);
  }

  private long usecAt(double percentile) {
    return window.getTotalCount() == 0 ? 0 : window.getValueAtPercentile(percentile) / 1_000;
  }

  private static Histogram histogram() {
    return new Histogram(LOWEST_NANOS, HIGHEST_NANOS, DIGITS);
  }
}
