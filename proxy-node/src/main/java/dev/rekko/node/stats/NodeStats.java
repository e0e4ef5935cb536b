package dev.rekko.node.stats;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's statistics: per-command counters and latency, sessions, backends, ops/s. The data path
 * records (thread-safe, allocation-free once a command's {@link CommandStats} exists); the HTTP API
 * reads {@link #snapshot()}. A daemon thread samples once a second for ops/s and the latency window.
 */
public final class NodeStats implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeStats.class);
  /** The latency window advances every minute, so percentiles cover the last one to two minutes. */
  static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final ConcurrentHashMap<String, CommandRecorder> commands = new ConcurrentHashMap<>();
  private final LongAdder sessionsOpened = new LongAdder();
  private final LongAdder sessionsClosed = new LongAdder();
  private final LongAdder tlsHandshakeFailures = new LongAdder();
  private final long startNanos = System.nanoTime();
  private volatile Supplier<List<BackendStatus>> backends = List::of;
  private volatile boolean online;
  private final ScheduledExecutorService sampler;

  // Written by tick() only (one thread at a time), read by anyone.
  private volatile long qps;
  private long lastTickNanos = startNanos;
  private long lastTickOps;
  private long windowStartNanos = startNanos;

  private NodeStats(boolean sample) {
    if (sample) {
      sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rekko-stats-sampler");
        t.setDaemon(true);
        return t;
      });
      sampler.scheduleAtFixedRate(this::tickSafely, 1, 1, TimeUnit.SECONDS);
    } else {
      sampler = null;
    }
  }

  /** Starts the once-a-second sampler; {@link #close()} stops it. */
  public static NodeStats create() {
    return new NodeStats(true);
  }

  /** Without the sampler thread: ops/s stays 0 unless {@link #tick} is called. For tests. */
  static NodeStats unsampled() {
    return new NodeStats(false);
  }

  /**
   * The stats of one command, created on first use. The data path should keep the result (per
   * command table entry) instead of looking it up per request.
   */
  public CommandStats command(String upperName) {
    CommandRecorder c = commands.get(upperName);
    return c != null ? c : commands.computeIfAbsent(upperName, CommandRecorder::new);
  }

  public void sessionOpened() {
    sessionsOpened.increment();
  }

  public void sessionClosed() {
    sessionsClosed.increment();
  }

  /** Where {@link #snapshot()} gets the backends from; the supplier is called per snapshot. */
  public void registerBackends(Supplier<List<BackendStatus>> supplier) {
    backends = Objects.requireNonNull(supplier);
  }

  /** Whether the node serves commands, i.e. its routing table is loaded (Codis: "online"). */
  public void setOnline(boolean online) {
    this.online = online;
  }

  public boolean online() {
    return online;
  }

  public long totalOps() {
    long sum = 0;
    for (CommandRecorder c : commands.values()) {
      sum += c.calls();
    }
    return sum;
  }

  public long totalFails() {
    long sum = 0;
    for (CommandRecorder c : commands.values()) {
      sum += c.fails();
    }
    return sum;
  }

  /**
   * CONFIG RESETSTAT: every command's counters and latencies start again from zero (a Prometheus
   * scraper sees a counter reset). Ops/s goes on from the reset totals.
   */
  public synchronized void resetCommands() {
    for (CommandRecorder c : commands.values()) {
      c.reset();
    }
    lastTickOps = 0;
  }

  /** Commands per second over the last sampled second. */
  public long qps() {
    return qps;
  }

  /** A TLS client connection ended during its handshake (a refused client certificate, among others). */
  public void tlsHandshakeFailed() {
    tlsHandshakeFailures.increment();
  }

  public long sessionsTotal() {
    return sessionsOpened.sum();
  }

  public long sessionsAlive() {
    // Read closed first: a session closing between the two reads then cannot make this negative.
    long closed = sessionsClosed.sum();
    return Math.max(0, sessionsOpened.sum() - closed);
  }

  public StatsSnapshot snapshot() {
    List<StatsSnapshot.CommandSnapshot> perCommand = new ArrayList<>(commands.size());
    for (CommandRecorder c : commands.values()) {
      perCommand.add(c.snapshot());
    }
    perCommand.sort(Comparator.comparing(StatsSnapshot.CommandSnapshot::name));
    long total = 0;
    long fails = 0;
    for (StatsSnapshot.CommandSnapshot c : perCommand) {
      total += c.calls();
      fails += c.fails();
    }
    return new StatsSnapshot(
        online,
        new StatsSnapshot.Ops(total, fails, qps),
        new StatsSnapshot.Sessions(sessionsTotal(), sessionsAlive(), tlsHandshakeFailures.sum()),
        List.copyOf(perCommand),
        backendsNow(),
        runtime());
  }

  @Override
  public void close() {
    if (sampler != null) {
      sampler.shutdownNow();
    }
  }

  /** One sampling step at {@code nowNanos}: ops/s since the previous step, and the latency window. */
  synchronized void tick(long nowNanos) {
    long ops = totalOps();
    long elapsed = nowNanos - lastTickNanos;
    if (elapsed > 0) {
      qps = Math.round((ops - lastTickOps) * 1e9 / elapsed);
    }
    lastTickOps = ops;
    lastTickNanos = nowNanos;
    boolean rotate = nowNanos - windowStartNanos >= WINDOW_NANOS;
    if (rotate) {
      windowStartNanos = nowNanos;
    }
    for (CommandRecorder c : commands.values()) {
      if (rotate) {
        c.rotate();
      } else {
        c.drain();
      }
    }
  }

  private void tickSafely() {
    try {
      tick(System.nanoTime());
    } catch (RuntimeException e) {
      // An exception would cancel the schedule and freeze ops/s for good.
      log.warn("stats sampling failed", e);
    }
  }

  private List<BackendStatus> backendsNow() {
    try {
      List<BackendStatus> list = backends.get();
      return list == null ? List.of() : List.copyOf(list);
    } catch (RuntimeException e) {
      log.warn("backend status unavailable", e);
      return List.of();
    }
  }

  private StatsSnapshot.JvmRuntime runtime() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    List<StatsSnapshot.Gc> gcs = new ArrayList<>();
    long gcCount = 0;
    long gcTime = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      long count = Math.max(0, gc.getCollectionCount());
      long time = Math.max(0, gc.getCollectionTime());
      gcs.add(new StatsSnapshot.Gc(gc.getName(), count, time));
      gcCount += count;
      gcTime += time;
    }
    return new StatsSnapshot.JvmRuntime(
        memory.getHeapMemoryUsage().getUsed(),
        memory.getHeapMemoryUsage().getMax(),
        memory.getNonHeapMemoryUsage().getUsed(),
        ManagementFactory.getThreadMXBean().getThreadCount(),
        Runtime.getRuntime().availableProcessors(),
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos),
        gcCount,
        gcTime,
        List.copyOf(gcs));
  }
}
