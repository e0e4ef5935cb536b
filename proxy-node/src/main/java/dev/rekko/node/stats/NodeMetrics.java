package dev.rekko.node.stats;

import dev.rekko.redis.backend.BackendTimings;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * The node's Prometheus metrics, in a registry of its own (several nodes run in one JVM in tests, so not
 * the library's default one). What the data path records as it goes is a histogram or counter here,
 * recorded through a data point each recorder keeps ({@link CommandRecorder}, a backend connection's
 * {@link BackendTimings}): no lookup, no allocation per command. Everything else is read from
 * {@link NodeStats} when scraped (callback metrics), so {@code /metrics} and {@code /api/stats} show the
 * same counts. The names are listed in the node's README.
 */
public final class NodeMetrics {
  /**
   * Classic buckets for everything a proxy times, from a fast GET on loopback to a slow barrier: the
   * same on every node, so histograms add up across nodes (sum the {@code _bucket} series by {@code le}).
   */
  public static final double[] BUCKETS = {
      0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram commandDuration = histogram("rekko_command_duration_seconds",
      "Command latency, from its arrival to its reply leaving for the client, by command name.", "command");
  // The servers backendDuration has a series for (the Prometheus client does not list its label values).
  private final java.util.Set<String> backendSeries = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Histogram backendDuration = histogram("rekko_backend_duration_seconds",
      "Time from a command's write on a shared backend connection to its reply, by server.", "server");
  private final DistributionDataPoint barrier = histogram("rekko_barrier_duration_seconds",
      "Time this node took to answer a migration's or a master switch's barrier.");
  private final DistributionDataPoint hold = histogram("rekko_hold_duration_seconds",
      "Time a command was held at a migration barrier or a group's master switch before it went on.");
  final ErrorKinds errors = new ErrorKinds(registry);

  NodeMetrics(NodeStats stats) {
    counter("rekko_commands_total", "Commands handled, by command name.", cb -> stats.forEachCommand(
        c -> cb.call(c.calls(), c.name())), "command");
    counter("rekko_command_errors_total", "Commands answered with an error, by command name.",
        cb -> stats.forEachCommand(c -> cb.call(c.fails(), c.name())), "command");
    counter("rekko_ops_total", "Commands handled since start.", cb -> cb.call(stats.totalOps()));
    counter("rekko_ops_errors_total", "Commands answered with an error since start.", cb -> cb.call(stats.totalFails()));
    gauge("rekko_ops_per_second", "Commands per second over the last second.", s -> s.qps(), stats);
    gauge("rekko_sessions_alive", "Client connections open now.", NodeStats::sessionsAlive, stats);
    counter("rekko_sessions_total", "Client connections accepted since start.", cb -> cb.call(stats.sessionsTotal()));
    counter("rekko_tls_handshake_failures_total",
        "TLS client connections that ended during their handshake (refused certificates among them).",
        cb -> cb.call(stats.tlsHandshakeFailures()));
    gauge("rekko_online", "1 when the node serves commands (routing table loaded, not fenced).",
        s -> s.online() ? 1 : 0, stats);
    gauge("rekko_fenced", "1 while the node refuses commands because it lost contact with the majority.",
        s -> s.fenced() ? 1 : 0, stats);
    gauge("rekko_client_memory_used_bytes",
        "What all clients hold now: replies not yet written and input not yet parsed.", NodeStats::clientMemoryUsed, stats);
    gauge("rekko_client_memory_limit_bytes", "rekko.proxy.max-memory; 0 when unlimited.",
        NodeStats::clientMemoryLimit, stats);
    backendGauges(stats);
    jvm();
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * {@code rekko_bigkeys_total{direction}}: requests and replies over {@code rekko.observe.bigkeys.threshold},
   * read from the node's big-keys log (which lives above this package) on every scrape.
   */
  public void bigKeys(java.util.function.LongSupplier requests, java.util.function.LongSupplier replies) {
    counter("rekko_bigkeys_total", "Requests and replies larger than rekko.observe.bigkeys.threshold, by direction.",
        cb -> {
          cb.call(requests.getAsLong(), "request");
          cb.call(replies.getAsLong(), "reply");
        }, "direction");
  }

  /** The latency histogram of one command: kept by its recorder. */
  DistributionDataPoint command(String name) {
    return commandDuration.labelValues(name);
  }

  /** What a server's shared backend connections report their reply times to. */
  BackendTimings backend(String server) {
    backendSeries.add(server);
    DistributionDataPoint point = backendDuration.labelValues(server);
    return nanos -> point.observe(nanos / 1e9);
  }

  /**
   * Drops the backend histogram of every server not in {@code servers}: a node that outlives many
   * failovers and replaced servers would otherwise export a series per server it ever used.
   */
  void retainBackends(java.util.Set<String> servers) {
    backendSeries.removeIf(server -> {
      if (servers.contains(server)) {
        return false;
      }
      backendDuration.remove(server);
      return true;
    });
  }

  void barrier(long nanos) {
    barrier.observe(nanos / 1e9);
  }

  void hold(long nanos) {
    hold.observe(nanos / 1e9);
  }

  /**
   * A node has several connections per server and database (rekko.backend.connections-per-server, RESP2
   * and RESP3): one series each for all of them, up only when every one is, in flight summed.
   */
  private void backendGauges(NodeStats stats) {
    GaugeWithCallback.builder().name("rekko_backend_up")
        .help("1 when every backend connection to the server and database is up.")
        .labelNames("server", "db")
        .callback(cb -> perServer(stats).forEach((k, v) -> cb.call(v[0], k.server(), k.db())))
        .register(registry);
    GaugeWithCallback.builder().name("rekko_backend_inflight")
        .help("Commands sent to the server and database and not answered yet.")
        .labelNames("server", "db")
        .callback(cb -> perServer(stats).forEach((k, v) -> cb.call(v[1], k.server(), k.db())))
        .register(registry);
  }

  private record ServerDb(String server, String db) {}

  /** {up, inFlight} per server and database. */
  private static java.util.Map<ServerDb, double[]> perServer(NodeStats stats) {
    java.util.Map<ServerDb, double[]> out = new java.util.TreeMap<>(
        java.util.Comparator.comparing(ServerDb::server).thenComparing(ServerDb::db));
    for (BackendStatus b : stats.backends()) {
      double[] v = out.computeIfAbsent(new ServerDb(b.server(), Integer.toString(b.database())), k -> new double[] {1, 0});
      v[0] = b.up() ? v[0] : 0;
      v[1] += b.inFlight();
    }
    return out;
  }

  private void jvm() {
    var memory = ManagementFactory.getMemoryMXBean();
    gauge("rekko_jvm_heap_used_bytes", "JVM heap in use.", m -> m.getHeapMemoryUsage().getUsed(), memory);
    gauge("rekko_jvm_heap_max_bytes", "JVM heap limit (-1 when undefined).", m -> m.getHeapMemoryUsage().getMax(), memory);
    gauge("rekko_jvm_threads", "Live JVM threads.", t -> t.getThreadCount(), ManagementFactory.getThreadMXBean());
    counter("rekko_jvm_gc_collections_total", "Garbage collections since start.", cb -> cb.call(
        ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(g -> Math.max(0, g.getCollectionCount())).sum()));
    counter("rekko_jvm_gc_seconds_total", "Time spent in garbage collection.", cb -> cb.call(
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .mapToLong(GarbageCollectorMXBean::getCollectionTime).map(t -> Math.max(0, t)).sum() / 1e3));
    long start = System.nanoTime();
    gauge("rekko_uptime_seconds", "Seconds since the node started.", s -> (System.nanoTime() - s) / 1_000_000_000L, start);
  }

  private Histogram histogram(String name, String help, String label) {
    return Histogram.builder().name(name).help(help).labelNames(label)
        .classicOnly().classicUpperBounds(BUCKETS).withoutExemplars().register(registry);
  }

  private DistributionDataPoint histogram(String name, String help) {
    return Histogram.builder().name(name).help(help)
        .classicOnly().classicUpperBounds(BUCKETS).withoutExemplars().register(registry);
  }

  private void counter(String name, String help, Consumer<CounterWithCallback.Callback> callback, String... labels) {
    CounterWithCallback.builder().name(name).help(help).labelNames(labels).callback(callback).register(registry);
  }

  private <T> void gauge(String name, String help, ToDoubleFunction<T> value, T source) {
    GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.applyAsDouble(source)))
        .register(registry);
  }
}
