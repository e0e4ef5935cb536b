package dev.rekko.node.observe;

import dev.rekko.protocol.Args;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;

/**
 * The node's most used keys: the keys of a sample of the commands ({@code sample-rate}) go into a
 * frequent-items sketch (Apache DataSketches' {@link ItemsSketch}: bounded memory, counts within a known
 * error). Each session decides with a {@link Sampler} of its own, so the commands not sampled cost one
 * decrement; a sampled one takes the sketch's lock, which the few sampled commands of all sessions
 * share. Counts are the sketch's estimates divided by the sample rate: estimates of how many commands
 * used the key since the node started.
 */
public final class HotKeys {
  /** A key and its estimated count (already scaled by 1 / sample rate). */
  public record Row(String key, long count) {}

  private final double rate;
  private final ItemsSketch<String> sketch;

  /** @param capacity a power of two: the sketch's map size */
  public HotKeys(double sampleRate, int capacity) {
    this.rate = sampleRate;
    this.sketch = new ItemsSketch<>(capacity);
  }

  public double sampleRate() {
    return rate;
  }

  /** A new session's sampler. */
  public Sampler sampler() {
    return new Sampler(rate);
  }

  /** Counts the keys at {@code positions[0..n)} of a sampled command; any thread. */
  public void sample(Args args, int[] positions, int n) {
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) {
      int k = positions[i];
      keys[i] = KeyText.of(args.array(k), args.offset(k), args.length(k));
    }
    synchronized (sketch) {
      for (String key : keys) {
        sketch.update(key);
      }
    }
  }

  /** The {@code count} most frequent keys, most frequent first. */
  public List<Row> top(int count) {
    ItemsSketch.Row<String>[] rows;
    synchronized (sketch) {
      rows = sketch.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES);
    }
    List<Row> out = new ArrayList<>(Math.min(count, rows.length));
    for (int i = 0; i < rows.length && out.size() < count; i++) {
      out.add(new Row(rows[i].getItem(), Math.round(rows[i].getEstimate() / rate)));
    }
    return out;
  }

  /**
   * Which of one session's commands are sampled: the gaps between sampled commands are drawn from the
   * geometric distribution of the rate (with a xorshift generator of the session's own), so on average
   * one command in 1 / rate is sampled, without a shared counter or a random draw per command.
   * Session thread only.
   */
  public static final class Sampler {
    private final double logKeep;
    private long state = ThreadLocalRandom.current().nextLong() | 1;
    private long countdown;

    Sampler(double rate) {
      this.logKeep = rate >= 1 ? 0 : Math.log1p(-rate);
      this.countdown = gap();
    }

    /** One command: whether to sample it. */
    public boolean tick() {
      if (--countdown > 0) {
        return false;
      }
      countdown = gap();
      return true;
    }

    private long gap() {
      if (logKeep == 0) {
        return 1;
      }
      state ^= state << 13;
      state ^= state >>> 7;
      state ^= state << 17;
      // A uniform draw in (0, 1]: 53 random bits.
      double u = ((state >>> 11) + 1) * 0x1.0p-53;
      return 1 + (long) (Math.log(u) / logKeep);
    }
  }
}
