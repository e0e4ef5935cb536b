package dev.rekko.node.stats;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and latency histograms of one command. Recording touches only LongAdders, an HdrHistogram
 * {@link Recorder} (wait-free, allocation-free) and the command's Prometheus histogram data point
 * ({@code rekko_command_duration_seconds}); the sampler drains the recorder into a window of the last one
 * to two minutes, from which {@code /api/stats} reads percentiles, and into the node's histogram of the
 * current second (the history's p99). Counts and total time are since start, percentiles over the window.
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
  private final DistributionDataPoint latency;
  private final ErrorKinds errors;
  /** Every command's values since the sampler's last tick; shared, guarded by itself. */
  private final Histogram second;

  // Guarded by this: only the sampler and snapshots touch them.
  private final Histogram interval = histogram();
  private Histogram current = histogram();
  private Histogram previous = histogram();
  private final Histogram window = histogram();

  CommandRecorder(String name, DistributionDataPoint latency, ErrorKinds errors, Histogram second) {
    this.name = name;
    this.latency = latency;
    this.errors = errors;
    this.second = second;
  }

  @Override
  public void record(long latencyNanos, boolean error) {
    calls.increment();
    if (error) {
      fails.increment();
    }
    nanos.add(latencyNanos);
    recorder.recordValue(Math.max(0, Math.min(latencyNanos, HIGHEST_NANOS)));
    latency.observe(latencyNanos / 1e9);
  }

  @Override
  public void failed(byte[] reply, int off, int len) {
    errors.count(reply, off, len);
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

  /**
   * Back to zero (CONFIG RESETSTAT); a command recorded meanwhile may be counted or not. The Prometheus
   * histogram is not reset: a scraper expects its buckets never to go down.
   */
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
    synchronized (second) {
      second.add(interval);
    }
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

  static Histogram histogram() {
    return new Histogram(LOWEST_NANOS, HIGHEST_NANOS, DIGITS);
  }
}
