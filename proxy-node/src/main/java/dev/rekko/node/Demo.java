package dev.rekko.node;

import dev.rekko.node.config.GroupSeed;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.demo.ClusterReadiness;
import dev.rekko.node.demo.DemoCertificates;
import dev.rekko.node.demo.DemoNode;
import dev.rekko.node.demo.NodeSpec;
import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Rekko cluster for trying it out: G Redis groups ({@link DemoRedis}) and N nodes, each its
 * own JVM ({@link dev.rekko.node.demo.NodeProcess}), that form one cluster through node 0 (the only
 * one with {@code rekko.cluster.form-new-cluster = on}) and seed
 * its topology from those groups. {@link #close()} stops the nodes, then the Redis servers, then
 * deletes the demo's folder.
 *
 * <p>Every node count takes the same path, child processes, even {@code --nodes 1}: a node in the
 * demo's JVM would be a second way to start that only the demo used, and it would share its heap
 * and its exit with the launcher of the Redis servers.
 */
public final class Demo implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Demo.class);

  /**
   * @param basePort node i listens for RESP on basePort + i
   * @param adminBasePort node i serves HTTP on adminBasePort + i
   * @param clusterBasePort node i joins the cluster on clusterBasePort + i; node 0 is the seed
   * @param overrides {@code -D} settings for every node; the demo's own ports, cluster, bootstrap
   *     groups and data folders replace any given here
   * @param tls {@code --tls}: a throw-away CA and certificates in the demo's folder, and node i serves
   *     client TLS on basePort + 100 + i
   */
  public record Options(
      int nodes, int groups, int replicas, int basePort, int adminBasePort, int clusterBasePort,
      Optional<Path> configFile, Map<String, String> overrides, Duration readyTimeout, boolean tls) {
    public Options {
      overrides = Map.copyOf(overrides);
    }

    /** Without TLS. */
    public Options(int nodes, int groups, int replicas, int basePort, int adminBasePort, int clusterBasePort,
        Optional<Path> configFile, Map<String, String> overrides, Duration readyTimeout) {
      this(nodes, groups, replicas, basePort, adminBasePort, clusterBasePort, configFile, overrides, readyTimeout,
          false);
    }
  }

  /** The TLS port of node i is its RESP port plus this. */
  public static final int TLS_PORT_OFFSET = 100;

  private final Path dir;
  private final DemoRedis redis = new DemoRedis();
  /** {@code --tls}: the demo's CA, in {@code tls/} of its folder; null without TLS. */
  private DemoCertificates certificates;
  // Written while starting and read by the early-stop hook, which may run meanwhile (Ctrl-C).
  private final List<NodeConfig> configs = new CopyOnWriteArrayList<>();
  private final List<DemoNode> nodes = new CopyOnWriteArrayList<>();
  private boolean closed;

  private Demo(Path dir) {
    this.dir = dir;
  }

  /**
   * Starts the Redis groups, then the nodes, and returns once the demo is ready (see
   * {@link ClusterReadiness}). On failure it stops what it started, keeps the nodes' logs and says
   * where they are.
   */
  public static Demo start(Options options, DemoNode.Starter starter) throws Exception {
    // Settings errors show before any Redis starts.
    for (int i = 0; i < options.nodes(); i++) {
      NodeConfig.load(options.configFile(), nodeSettings(options, i, List.of(), Path.of("node-" + i), null));
    }
    Demo demo = new Demo(Files.createTempDirectory("rekko-demo-"));
    // Ctrl-C during the start: Main.runUntilShutdown is not watching yet.
    Thread early = new Thread(demo::close, "rekko-demo-early-stop");
    Runtime.getRuntime().addShutdownHook(early);
    try {
      if (options.tls()) {
        demo.certificates = DemoCertificates.create(demo.dir.resolve("tls"), options.nodes());
      }
      demo.redis.start(NodeConfig.load(options.configFile(), options.overrides()), options.groups(), options.replicas());
      List<ClusterReadiness.Endpoint> endpoints = new ArrayList<>();
      for (int i = 0; i < options.nodes(); i++) {
        NodeSpec spec = new NodeSpec(i, options.configFile(),
            nodeSettings(options, i, demo.seeds(), demo.dir.resolve("node-" + i), demo.certificates),
            demo.dir.resolve("node-" + i + ".log"));
        NodeConfig config = NodeConfig.load(options.configFile(), spec.settings());
        demo.configs.add(config);
        endpoints.add(endpoint(i, config));
        log.info("starting node {}: RESP {}:{}{}, HTTP {}:{}, cluster 127.0.0.1:{}, output in {}", i,
            config.proxy().host(), config.proxy().port(),
            config.clientTls().enabled() ? ", TLS " + config.proxy().host() + ":" + config.clientTls().port() : "",
            config.admin().host(), config.admin().port(), options.clusterBasePort() + i, spec.logFile());
        demo.nodes.add(starter.start(spec));
      }
      new ClusterReadiness(endpoints, demo.nodes).await(options.readyTimeout());
      return demo;
    } catch (Exception | Error e) {
      if (demo.isClosed()) {
        // The early-stop hook ran (Ctrl-C): the nodes it stopped are not what went wrong.
        throw new CliException("the demo was stopped before its nodes were ready", e);
      }
      boolean kept = demo.stop(true);
      if (kept && e instanceof CliException) {
        throw new CliException(e.getMessage() + "\nThe nodes' logs are kept in " + demo.dir, e);
      }
      throw e;
    } finally {
      removeHook(early);
    }
  }

  /**
   * {@code READY resp=h:p,... http=h:p,... redis=1=master,replica;2=...}, with {@code --tls} followed by
   * {@code tls=h:p,... ca=PATH} (the CA certificate clients trust) — one line, for scripts.
   */
  public String readyLine() {
    String line = "READY resp=" + configs.stream().map(c -> c.proxy().host() + ":" + c.proxy().port())
            .collect(Collectors.joining(","))
        + " http=" + configs.stream().map(c -> c.admin().host() + ":" + c.admin().port())
            .collect(Collectors.joining(","))
        + " redis=" + GroupSeed.format(seeds());
    if (certificates != null) {
      line += " tls=" + configs.stream().map(c -> c.proxy().host() + ":" + c.clientTls().port())
          .collect(Collectors.joining(","))
          + " ca=" + certificates.caFile();
    }
    return line;
  }

  /** {@code --tls}: the demo's CA and certificates ({@code ca.crt}, {@code node-i.*}, {@code client.*}). */
  public Optional<DemoCertificates> certificates() {
    return Optional.ofNullable(certificates);
  }

  /** Each node's settings as the demo resolved them (the node's own JVM resolves them alike). */
  public List<NodeConfig> nodeConfigs() {
    return List.copyOf(configs);
  }

  public List<DemoNode> nodes() {
    return List.copyOf(nodes);
  }

  /** The demo's folder: the nodes' data folders ({@code node-i}) and logs ({@code node-i.log}). */
  public Path dir() {
    return dir;
  }

  /** The Redis servers of group id i+1 at index i, master first. */
  public List<List<RedisServer>> redisGroups() {
    return redis.groups();
  }

  /** The groups as the nodes' bootstrap sees them. */
  public List<GroupSeed> seeds() {
    return redis.seeds();
  }

  @Override
  public void close() {
    stop(false);
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  /** Returns whether the folder was kept for the logs. */
  private synchronized boolean stop(boolean keepLogs) {
    if (closed) {
      return false;
    }
    closed = true;
    // One at a time, the oldest (node 0, which hosts the singletons) last: each leaves a cluster that
    // is still there to take over its slot actors, in about two seconds. Nodes that all leave together
    // wait out Pekko's hand-over timeouts instead (~12 s for three).
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    redis.close();
    boolean kept = keepLogs && hasLogs();
    if (kept) {
      for (int i = 0; i < nodes.size(); i++) {
        deleteRecursively(dir.resolve("node-" + i));
      }
    } else {
      deleteRecursively(dir);
    }
    log.info("demo stopped: {} node(s), {} Redis server(s){}", nodes.size(), redis.serverCount(),
        kept ? "; the nodes' logs are in " + dir : "");
    return kept;
  }

  private boolean hasLogs() {
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(p -> p.getFileName().toString().endsWith(".log") && p.toFile().length() > 0);
    } catch (IOException e) {
      return false;
    }
  }

  static Map<String, String> nodeSettings(Options o, int i, List<GroupSeed> seeds, Path dataDir,
      DemoCertificates tls) {
    Map<String, String> all = new LinkedHashMap<>(o.overrides());
    all.put("rekko.proxy.port", Integer.toString(o.basePort() + i));
    if (tls != null) {
      // client-auth stays the user's (none by default): with the CA set, `-D rekko.proxy.tls.client-auth=required`
      // works, and tls/client.crt is a certificate clients may present.
      all.put("rekko.proxy.tls.port", Integer.toString(o.basePort() + TLS_PORT_OFFSET + i));
      all.put("rekko.proxy.tls.cert-file", tls.node(i).cert().toString());
      all.put("rekko.proxy.tls.key-file", tls.node(i).key().toString());
      all.put("rekko.proxy.tls.ca-file", tls.caFile().toString());
    }
    all.put("rekko.admin.port", Integer.toString(o.adminBasePort() + i));
    all.put("rekko.cluster.host", "127.0.0.1");
    all.put("rekko.cluster.port", Integer.toString(o.clusterBasePort() + i));
    all.put("rekko.cluster.seed-nodes", "[\"127.0.0.1:" + o.clusterBasePort() + "\"]");
    // Node 0 forms the cluster (its data folder is new, and it knows no other node); the others join it.
    all.put("rekko.cluster.form-new-cluster", i == 0 ? "on" : "off");
    if (!seeds.isEmpty()) {
      all.put("rekko.bootstrap.groups", GroupSeed.format(seeds));
    }
    all.put("rekko.data-dir", dataDir.toAbsolutePath().toString());
    return all;
  }

  private static ClusterReadiness.Endpoint endpoint(int i, NodeConfig c) {
    return new ClusterReadiness.Endpoint(i, loopbackIfAny(c.admin().host()), c.admin().port(),
        loopbackIfAny(c.proxy().host()), c.proxy().port(), c.proxy().password());
  }

  /** A node bound to every interface is reached on loopback. */
  private static String loopbackIfAny(String host) {
    return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down, and the hook is doing its job
    }
  }

  private static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(path)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.debug("cannot delete {}", path, e);
    }
  }
}
