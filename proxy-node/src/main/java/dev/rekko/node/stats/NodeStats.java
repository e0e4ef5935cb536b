package dev.rekko.node.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import dev.rekko.redis.backend.BackendTimings;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's statistics: per-command counters and latency, sessions, backends, ops/s. The data path
 * records (thread-safe, allocation-free once a command's {@link CommandStats} exists); the HTTP API
 * reads {@link #snapshot()}, {@link #metrics()} (Prometheus) and {@link #history()}. A daemon thread
 * samples once a second for ops/s, the latency window and the history.
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
  private volatile boolean fenced;
  private volatile LongSupplier clientMemoryUsed = () -> 0;
  private volatile long clientMemoryLimit;
  private final ScheduledExecutorService sampler;
  /** Every command's latencies since the last tick, for the history's p99; guarded by itself. */
  private final Histogram second = CommandRecorder.histogram();
  private final History history = new History();
  private final NodeMetrics metrics;

  // Written by tick() only (one thread at a time), read by anyone.
  private volatile long qps;
  private long lastTickNanos = startNanos;
  private long lastTickOps;
  private long windowStartNanos = startNanos;

  private NodeStats(boolean sample) {
    metrics = new NodeMetrics(this);
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
    return c != null ? c : commands.computeIfAbsent(upperName,
        name -> new CommandRecorder(name, metrics.command(name), metrics.errors, second));
  }

  /** What one backend server's shared connections report their reply times to (create once per connection). */
  public BackendTimings backendTimings(String server) {
    return metrics.backend(server);
  }

  /** Forgets the backend latency series of servers no longer in the topology. */
  public void retainBackends(java.util.Set<String> servers) {
    metrics.retainBackends(servers);
  }

  /** A barrier (migration's or master switch's) was answered {@code nanos} after this node was first asked. */
  public void barrierAnswered(long nanos) {
    metrics.barrier(nanos);
  }

  /** A command held at a barrier or master switch went on (or failed) after {@code nanos}. */
  public void holdEnded(long nanos) {
    metrics.hold(nanos);
  }

  /** The node's Prometheus registry ({@code GET /metrics}). */
  public NodeMetrics metrics() {
    return metrics;
  }

  /** The last five minutes, a sample per second ({@code GET /api/history}). */
  public History history() {
    return history;
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

  /** Whether the node refuses commands because it lost contact with the majority. */
  public void setFenced(boolean fenced) {
    this.fenced = fenced;
  }

  public boolean fenced() {
    return fenced;
  }

  /** Where the client memory gauges read from: bytes all clients hold now, and the budget (0: none). */
  public void registerClientMemory(LongSupplier used, long limit) {
    clientMemoryUsed = used;
    clientMemoryLimit = limit;
  }

  long clientMemoryUsed() {
    return clientMemoryUsed.getAsLong();
  }

  long clientMemoryLimit() {
    return clientMemoryLimit;
  }

  long tlsHandshakeFailures() {
    return tlsHandshakeFailures.sum();
  }

  void forEachCommand(Consumer<CommandRecorder> each) {
    commands.values().forEach(each);
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
        backends(),
        StatsSnapshot.JvmRuntime.now(startNanos));
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
    long p99;
    synchronized (second) {
      p99 = second.getTotalCount() == 0 ? 0 : second.getValueAtPercentile(99.0) / 1_000;
      second.reset();
    }
    history.add(System.currentTimeMillis(), qps, p99, sessionsAlive());
  }

  private void tickSafely() {
    try {
      tick(System.nanoTime());
    } catch (RuntimeException e) {
      // An exception would cancel the schedule and freeze ops/s for good.
      log.warn("stats sampling failed", e);
    }
  }

  List<BackendStatus> backends() {
    try {
      List<BackendStatus> list = backends.get();
      return list == null ? List.of() : List.copyOf(list);
    } catch (RuntimeException e) {
      log.warn("backend status unavailable", e);
      return List.of();
    }
  }
}
