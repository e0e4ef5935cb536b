package dev.rekko.multinode.chaos;

import dev.rekko.node.config.GroupSeed;
import dev.rekko.node.demo.ClusterReadiness;
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
import java.util.TreeMap;
import java.util.stream.Stream;
import redis.clients.jedis.HostAndPort;

/**
 * A Rekko cluster of real processes, started like an operator would: per group a {@code redis-server}
 * master and optionally replicas ({@link BackendGroups}), and N node JVMs ({@link ChaosNode}), each with
 * its own ports and data folder, node 0 and 1 the seed nodes, the groups seeded through
 * {@code rekko.bootstrap.groups} (slots spread evenly: with two groups, 0..511 on group 1 and 512..1023
 * on group 2). Everything lives in {@code target/chaos/<name>} (logs {@code node-i.log}, data
 * {@code node-i/}, Redis {@code redis-g/} or {@code redis-g-i/}) and is cleared when the same scenario
 * runs again. {@link #close()} kills every process, frozen ones too, also from a JVM shutdown hook.
 */
final class ChaosCluster implements AutoCloseable {
  static final String DIR_PROPERTY = "rekko.chaos.dir";
  static final String JAR_PROPERTY = "rekko.chaos.node-jar";
  /** Short so that a fault is decided within seconds; fence-after must be shorter. */
  static final String STABLE_AFTER = "5s";
  static final String FENCE_AFTER = "3s";
  private static final List<String> JVM_OPTIONS = List.of("-Xmx192m", "-XX:+UseParallelGC",
      // LMDB (the durable topology and remembered entities) needs both on Java 17.
      "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");

  private final Path dir;
  private BackendGroups backends;
  private final List<ChaosNode> nodes = new ArrayList<>();
  private final Thread killer = new Thread(this::close, "chaos-cluster-killer");
  private boolean closed;

  private ChaosCluster(Path dir) {
    this.dir = dir;
  }

  /** Starts the Redis groups, one server each; the nodes are prepared, not started. */
  static ChaosCluster create(String name, int groupCount, int nodeCount) throws IOException {
    return create(name, groupCount, 0, nodeCount, Map.of());
  }

  /**
   * Starts the Redis groups, a master and {@code replicas} replicas each; the nodes are prepared, not
   * started, with {@code settings} on top of the harness's own (ports, cluster, bootstrap, data).
   */
  static ChaosCluster create(String name, int groupCount, int replicas, int nodeCount, Map<String, String> settings)
      throws IOException {
    Path dir = Path.of(System.getProperty(DIR_PROPERTY, "target/chaos")).toAbsolutePath().resolve(name);
    deleteRecursively(dir);
    Files.createDirectories(dir);
    ChaosCluster cluster = new ChaosCluster(dir);
    Runtime.getRuntime().addShutdownHook(cluster.killer);
    try {
      cluster.backends = BackendGroups.start(dir, groupCount, replicas);
      List<GroupSeed> seeds = cluster.backends.seeds();
      String classPath = nodeClassPath();
      int[] clusterPorts = new int[nodeCount];
      for (int i = 0; i < nodeCount; i++) {
        clusterPorts[i] = ChaosPorts.port();
      }
      String seedNodes = "[\"127.0.0.1:" + clusterPorts[0] + "\""
          + (nodeCount > 1 ? ", \"127.0.0.1:" + clusterPorts[1] + "\"" : "") + "]";
      for (int i = 0; i < nodeCount; i++) {
        Map<String, String> s = new LinkedHashMap<>(settings);
        s.put("rekko.proxy.port", Integer.toString(ChaosPorts.port()));
        s.put("rekko.admin.port", Integer.toString(ChaosPorts.port()));
        s.put("rekko.cluster.host", "127.0.0.1");
        s.put("rekko.cluster.port", Integer.toString(clusterPorts[i]));
        // Two seeds, so that a seed node that restarts alone joins the others instead of forming a
        // cluster of its own.
        s.put("rekko.cluster.seed-nodes", seedNodes);
        // As the demo: the first node may form a cluster, once every node it knows says it is in none.
        s.put("rekko.cluster.form-new-cluster", i == 0 ? "on" : "off");
        s.put("rekko.cluster.stable-after", STABLE_AFTER);
        s.put("rekko.cluster.fence-after", FENCE_AFTER);
        s.put("rekko.bootstrap.groups", GroupSeed.format(seeds));
        s.put("rekko.data-dir", dir.resolve("node-" + i).toString());
        NodeSpec spec = new NodeSpec(i, Optional.empty(), s, dir.resolve("node-" + i + ".log"));
        cluster.nodes.add(new ChaosNode(spec, JVM_OPTIONS, classPath));
      }
      System.out.println("chaos cluster " + name + ": nodes from " + classPath.split(java.io.File.pathSeparator)[0]
          + (classPath.contains(java.io.File.pathSeparator) ? " (test classpath)" : "") + ", logs in " + dir);
      return cluster;
    } catch (IOException | RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * Starts every node that is not running, all at once as an operator (or the demo) does, and waits
   * until all serve. Started together, the nodes have all joined when the coordinator wakes the slot
   * actors, so their shards spread over all nodes. Started one by one, the first node would host all
   * 64 shards and Pekko would move them to the others one every 10 s (a fault then hits a node that
   * hosts few slot actors, or a shard in hand-off); and {@code pekko.cluster.min-nr-of-members}, which
   * would wait for all of them, also keeps a new shard coordinator from placing any shard once a node
   * is lost.
   */
  void startAll(Duration timeout) throws InterruptedException {
    nodes.stream().filter(n -> !n.alive()).forEach(ChaosNode::start);
    awaitReady(timeout);
  }

  /**
   * Waits until every node answers PING, has loaded the topology, sees every node UP and all slots
   * assigned. Unlike the demo's readiness it does not wait for the nodes to agree on the epoch: in
   * the middle of a migration the epoch moves on with every step.
   */
  void awaitReady(Duration timeout) throws InterruptedException {
    List<ClusterReadiness.Endpoint> endpoints = nodes.stream()
        .map(n -> new ClusterReadiness.Endpoint(n.index(), "127.0.0.1", n.setting("rekko.admin.port"),
            "127.0.0.1", n.setting("rekko.proxy.port"), ""))
        .toList();
    ClusterReadiness readiness = new ClusterReadiness(endpoints, nodes);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (ChaosNode n : nodes) {
        if (n.exitCode().isPresent()) {
          throw new AssertionError("node " + n.index() + " exited with " + n.exitCode().getAsInt()
              + " while starting:\n" + n.logTail() + "\n" + logs());
        }
      }
      Map<Integer, List<String>> missing = new TreeMap<>(readiness.missing());
      missing.replaceAll((i, problems) -> problems.stream().filter(p -> !p.startsWith("at epoch ")).toList());
      missing.values().removeIf(List::isEmpty);
      if (missing.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the nodes did not serve within " + timeout.toSeconds() + " s: " + missing
            + "\n" + logs());
      }
      Thread.sleep(250);
    }
  }

  ChaosNode node(int i) {
    return nodes.get(i);
  }

  List<ChaosNode> nodes() {
    return List.copyOf(nodes);
  }

  /** Nodes that run and are not frozen. */
  List<ChaosNode> serving() {
    return nodes.stream().filter(n -> n.alive() && !n.frozen()).toList();
  }

  /** Every node's RESP port, in node order, dead ones included (clients move on from those). */
  List<HostAndPort> respEndpoints() {
    return nodes.stream().map(n -> new HostAndPort("127.0.0.1", n.setting("rekko.proxy.port"))).toList();
  }

  NodeApi api(ChaosNode n) {
    return new NodeApi(n.setting("rekko.admin.port"));
  }

  /** The server group {@code id} was started with as its master (after a failover no longer its master). */
  RedisServer group(int id) {
    return backends.first(id);
  }

  /** Every backend server, to kill and restart them. */
  BackendGroups backends() {
    return backends;
  }

  /**
   * The node running the coordinator (the cluster singleton, on the oldest member): the one serving
   * node whose log, since its start, says the coordinator started there. Nodes of a fresh cluster
   * all log it only once the singleton runs, so this waits a little for the line.
   */
  ChaosNode coordinator() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      List<ChaosNode> found = serving().stream().filter(n -> n.loggedSinceStart("coordinator started at epoch"))
          .toList();
      if (found.size() == 1) {
        return found.get(0);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("cannot tell which node runs the coordinator: " + found.size()
            + " logs say it started there\n" + logs());
      }
      Thread.sleep(200);
    }
  }

  /**
   * Whether a serving node's log says the cluster marked {@code node} as down (the Split Brain
   * Resolver's decision, logged by the leader), since that log's start.
   */
  boolean downed(ChaosNode node) {
    String line = "Marking unreachable node [pekko://rekko@127.0.0.1:" + node.setting("rekko.cluster.port")
        + "] as [Down]";
    return serving().stream().anyMatch(n -> n != node && n.loggedSinceStart(line));
  }

  Path dir() {
    return dir;
  }

  /** Where each node's log is, for failure messages. */
  String logs() {
    StringBuilder sb = new StringBuilder("node logs:");
    nodes.forEach(n -> sb.append("\n  ").append(n));
    return sb.toString();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ChaosNode n : nodes) {
      try {
        n.kill();
      } catch (RuntimeException e) {
        System.err.println("killing " + n + " failed: " + e);
      }
    }
    if (backends != null) {
      backends.close();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // shutting down: the hook is what called us
    }
  }

  /**
   * The executable jar when it is there and newer than every class folder of the test classpath (a
   * build that stopped before {@code package} leaves an old jar behind), else the test classpath.
   */
  static String nodeClassPath() throws IOException {
    String testClassPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String jarSetting = System.getProperty(JAR_PROPERTY, "");
    if (jarSetting.isBlank()) {
      return testClassPath;
    }
    Path jar = Path.of(jarSetting).toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      return testClassPath;
    }
    long jarTime = Files.getLastModifiedTime(jar).toMillis();
    for (String entry : testClassPath.split(java.io.File.pathSeparator)) {
      Path p = Path.of(entry);
      // Only the project's own main classes go into the jar; this module's test classes do not.
      if (Files.isDirectory(p) && p.endsWith(Path.of("target", "classes")) && newestFile(p) > jarTime) {
        System.out.println("chaos: " + jar + " is older than " + p + "; using the test classpath");
        return testClassPath;
      }
    }
    return jar.toString();
  }

  private static long newestFile(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().lastModified()).max().orElse(0);
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(path)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
