package dev.rekko.redis.migrate;

import dev.rekko.protocol.resp.RespValue;
import dev.rekko.redis.backend.BackendAddress;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells the mover whether clients use its source too. While a walk runs, a thread samples the
 * source's command counts ({@code INFO commandstats}: the sum of all calls, and PING's) on a connection
 * of its own and takes away the commands the mover sent itself (every mover connection counts into
 * {@link #own}) and the PINGs; what is left is other clients' traffic, mostly the nodes moving the keys
 * that client commands name, as a rate over the last {@link #QUIET_SAMPLES} intervals. PINGs do not
 * count: they cost Redis next to nothing, and the nodes send thousands of them when slots pass their
 * barriers (a no-op round trip on every connection), just when a migration starts.
 *
 * <p>Redis runs one command at a time, and a MIGRATE of a thousand keys keeps it busy for several
 * milliseconds; with two of them pipelined, a client command can wait behind both. So while others
 * send more than {@link ServerMoverSettings#yieldAbove()} commands a second, the mover moves few keys at a
 * time on few lanes or MIGRATEs in flight, and the commands that queued behind one step run before
 * the next. It goes back to full
 * batches once the traffic has stayed below that rate for {@link #QUIET_SAMPLES} samples in a row.
 */
final class SourceLoad implements AutoCloseable {
  static final int QUIET_SAMPLES = 5;
  private static final String STAT = "cmdstat_";
  private static final String PING = "cmdstat_ping:";
  private static final String CALLS = "calls=";

  private final BackendAddress source;
  private final Credentials credentials;
  private final ServerMoverSettings options;
  /** Commands the mover's own connections sent to the source. */
  final AtomicLong own = new AtomicLong();
  private volatile boolean yielding;
  private volatile long othersPerSecond;
  private volatile long samples;
  private RespConnection conn;
  private Thread thread;

  SourceLoad(BackendAddress source, Credentials credentials, ServerMoverSettings options) {
    this.source = source;
    this.credentials = credentials;
    this.options = options;
  }

  /** A new connection to the source, logged in; what it sends counts as the mover's own. */
  RespConnection connect() throws IOException {
    return RespConnection.open(source, credentials, options).countInto(own);
  }

  /** Whether the mover should move few keys at a time now ({@link ServerMoverSettings#yieldBatchKeys()}). */
  boolean yielding() {
    return yielding;
  }

  /** Others' commands per second on the source at the last sample (0 before the first two). */
  long othersPerSecond() {
    return othersPerSecond;
  }

  /** Rates computed so far (for tests). */
  long samples() {
    return samples;
  }

  /** Sets the decision by hand (for tests, with sampling turned off). */
  void force(boolean yield) {
    yielding = yield;
  }

  /** Starts sampling (for the walk about to run); does nothing when yielding is turned off. */
  synchronized void start() {
    if (options.yieldAbove() == 0 || thread != null) {
      return;
    }
    Thread t = new Thread(this::sample, "rekko-mover-load-" + source);
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /**
   * Stops sampling. The decision stays: walks follow each other closely during a migration, and a
   * stale one is corrected within {@link #QUIET_SAMPLES} samples of the next walk.
   */
  synchronized void stop() {
    Thread t = thread;
    thread = null;
    if (t != null) {
      t.interrupt();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void sample() {
    // The rate is taken over the last QUIET_SAMPLES intervals: a sample's two counts are not read at
    // the same instant, and that error, a few commands, would weigh too much over a single interval.
    long[] totals = new long[QUIET_SAMPLES + 1];
    long[] owns = new long[QUIET_SAMPLES + 1];
    long[] times = new long[QUIET_SAMPLES + 1];
    int kept = 0;
    int quiet = 0;
    long interval = options.loadProbeInterval().toNanos();
    while (!Thread.currentThread().isInterrupted()) {
      try {
        // The mover's count first: what it sent before the INFO is in Redis's count too, but for what
        // is still on its way.
        long ownNow = own.get();
        long total = countedCommands();
        long now = System.nanoTime();
        if (kept == totals.length) {
          System.arraycopy(totals, 1, totals, 0, kept - 1);
          System.arraycopy(owns, 1, owns, 0, kept - 1);
          System.arraycopy(times, 1, times, 0, kept - 1);
          kept--;
        }
        totals[kept] = total;
        owns[kept] = ownNow;
        times[kept] = now;
        kept++;
        if (kept > 1 && now > times[0]) {
          long others = Math.max(0, (total - totals[0]) - (ownNow - owns[0]));
          long rate = others * 1_000_000_000L / (now - times[0]);
          othersPerSecond = rate;
          quiet = decide(rate, quiet);
          samples++;
        }
      } catch (IOException e) {
        // Unknown load: keep the last decision, and start counting afresh on a new connection.
        drop();
        kept = 0;
      }
      try {
        // Real time, not the mover's clock: a test's fake clock is for retry pauses.
        MoverClock.SYSTEM.sleepNanos(interval);
      } catch (InterruptedException e) {
        break;
      }
    }
  }

  /** Applies one sample; returns the new count of quiet samples in a row. */
  private int decide(long rate, int quiet) {
    if (rate > options.yieldAbove()) {
      yielding = true;
      return 0;
    }
    if (yielding && quiet + 1 >= QUIET_SAMPLES) {
      yielding = false;
      return 0;
    }
    return quiet + 1;
  }

  private long countedCommands() throws IOException {
    if (conn == null) {
      conn = connect();
    }
    conn.send("INFO", "commandstats");
    RespValue reply = conn.flushAndRead(options.commandWaitNanos());
    if (reply instanceof RespValue.BulkString text) {
      return parseCounted(text.utf8());
    }
    throw new IOException("INFO commandstats on " + source + " failed: " + MigrateReplies.describe(reply));
  }

  /** The calls of every command but PING, from an {@code INFO commandstats} text. */
  static long parseCounted(String info) throws IOException {
    long counted = 0;
    boolean any = false;
    for (String line : info.split("\r?\n")) {
      any |= line.startsWith(STAT);
      if (!line.startsWith(STAT) || line.startsWith(PING)) {
        continue;
      }
      int at = line.indexOf(CALLS);
      if (at < 0) {
        throw new IOException("unreadable INFO commandstats line: " + line);
      }
      int from = at + CALLS.length();
      int to = from;
      while (to < line.length() && Character.isDigit(line.charAt(to))) {
        to++;
      }
      try {
        counted += Long.parseLong(line.substring(from, to));
      } catch (NumberFormatException e) {
        throw new IOException("unreadable INFO commandstats line: " + line, e);
      }
    }
    if (!any) {
      throw new IOException("INFO commandstats lists no command");
    }
    return counted;
  }

  /** Only from the sampling thread, or once it has stopped. */
  private void drop() {
    if (conn != null) {
      conn.close();
      conn = null;
    }
  }

  @Override
  public void close() {
    stop();
    drop();
  }
}
