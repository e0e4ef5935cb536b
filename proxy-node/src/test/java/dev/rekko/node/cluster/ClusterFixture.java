package dev.rekko.node.cluster;

import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.RekkoNode;
import dev.rekko.node.proxy.RoutingTable;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Rekko cluster inside the test JVM: N nodes (each its own ActorSystem, cluster member, RESP and HTTP
 * listener) on fixed free loopback ports, node 0 the seed, each with its own data directory, plus Redis
 * servers that the tests add to groups through the API. Nodes can be stopped and started again on the
 * same ports and data directories. Everything is stopped in {@link #close()}.
 */
final class ClusterFixture implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterFixture.class);
  static final Duration WAIT = Duration.ofSeconds(120);

  private final Path root;
  private final List<Map<String, String>> configs = new ArrayList<>();
  private final List<RekkoNode> nodes = new ArrayList<>();
  private final List<RedisServer> servers = new ArrayList<>();
  private final String token;

  private ClusterFixture(Path root, String token) {
    this.root = root;
    this.token = token;
  }

  /** Prepares (does not start) {@code n} nodes; {@code extra} settings apply to all. */
  static ClusterFixture create(int n, String token, Map<String, String> extra) throws IOException {
    return create(n, token, extra, i -> Map.of());
  }

  /** As {@link #create(int, String, Map)}, with {@code perNode.apply(i)} applied to node i after {@code extra}. */
  static ClusterFixture create(int n, String token, Map<String, String> extra,
      IntFunction<Map<String, String>> perNode) throws IOException {
    ClusterFixture fx = new ClusterFixture(Files.createTempDirectory(
        Path.of(System.getProperty("java.io.tmpdir")), "rekko-cluster-"), token);
    int seedPort = freePort();
    for (int i = 0; i < n; i++) {
      Map<String, String> o = new LinkedHashMap<>();
      o.put("rekko.proxy.port", Integer.toString(freePort()));
      o.put("rekko.admin.port", Integer.toString(freePort()));
      o.put("rekko.cluster.port", Integer.toString(i == 0 ? seedPort : freePort()));
      o.put("rekko.cluster.seed-nodes", "127.0.0.1:" + seedPort);
      // Node 0 forms the cluster, on a first start and after a full restart; the others only join.
      o.put("rekko.cluster.form-new-cluster", i == 0 ? "on" : "off");
      o.put("rekko.data-dir", fx.root.resolve("node-" + i).toString());
      o.put("rekko.dispatcher.parallelism", "2");
      o.put("rekko.admin.token", token);
      o.putAll(extra);
      o.putAll(perNode.apply(i));
      fx.configs.add(o);
      fx.nodes.add(null);
    }
    return fx;
  }

  /** Starts every node that is not running and waits until all serve. */
  ClusterFixture startAll() throws Exception {
    for (int i = 0; i < configs.size(); i++) {
      if (nodes.get(i) == null) {
        start(i);
      }
    }
    for (int i = 0; i < configs.size(); i++) {
      awaitServing(i);
    }
    return this;
  }

  /** Starts node {@code i} (its listeners bound; it may not serve yet). */
  synchronized RekkoNode start(int i) throws Exception {
    if (nodes.get(i) != null) {
      throw new IllegalStateException("node " + i + " is running");
    }
    RekkoNode node = RekkoNode.start(NodeConfig.of(configs.get(i)));
    nodes.set(i, node);
    return node;
  }

  /** Stops node {@code i} gracefully (it leaves the cluster). */
  synchronized void stop(int i) {
    RekkoNode node = nodes.get(i);
    if (node != null) {
      nodes.set(i, null);
      node.close();
    }
  }

  void awaitServing(int i) throws InterruptedException {
    await("node " + i + " serves", () -> node(i) != null && node(i).serving());
  }

  RekkoNode node(int i) {
    return nodes.get(i);
  }

  int size() {
    return configs.size();
  }

  List<Integer> running() {
    List<Integer> up = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) != null) {
        up.add(i);
      }
    }
    return up;
  }

  ApiClient api(int i) {
    return new ApiClient(Integer.parseInt(configs.get(i).get("rekko.admin.port")), token);
  }

  int httpPort(int i) {
    return Integer.parseInt(configs.get(i).get("rekko.admin.port"));
  }

  int clusterPort(int i) {
    return Integer.parseInt(configs.get(i).get("rekko.cluster.port"));
  }

  int respPort(int i) {
    return Integer.parseInt(configs.get(i).get("rekko.proxy.port"));
  }

  /** A fresh Redis server, stopped with the fixture. */
  RedisServer redis() {
    RedisServer server = RedisServer.builder().start();
    servers.add(server);
    return server;
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting until " + what);
      }
      Thread.sleep(25);
    }
  }

  /**
   * Waits until every running node routes every slot to {@code group} and none is in migration. Checking
   * one slot is not enough: the slots live in sixteen Distributed Data keys that reach a node separately,
   * so slot 1023 arriving says nothing of slot 0.
   */
  void awaitAllSlotsAt(int group) throws InterruptedException {
    awaitAllSlots("at group " + group, s -> s.group() == group);
  }

  /** Waits until every running node has every slot online (at whichever group), as a seeded cluster does. */
  void awaitAllSlotsOnline() throws InterruptedException {
    awaitAllSlots("online", s -> true);
  }

  /** Every running node shows all slots so, and its routing table sends each one straight to a master. */
  private void awaitAllSlots(String what, Predicate<SlotInfo> route) throws InterruptedException {
    await("every node has all 1024 slots " + what, () -> running().stream().allMatch(i -> {
      RoutingTable table = node(i).context().router().loaded();
      return table != null && node(i).topology().slots().stream().allMatch(s ->
          s.state() == SlotState.ONLINE && route.test(s) && table.route(s.id()).direct());
    }));
  }

  /**
   * Waits until the coordinator has written the Redis versions it learns after start into every group
   * (one more epoch per group) and every node sees the same groups and slots as the first: a topology
   * read before that is not the one a test can compare with later.
   */
  static void awaitSettled(java.util.List<RekkoNode> nodes) throws InterruptedException {
    await("Redis versions learned and the same groups and slots on every node", () -> nodes.stream().allMatch(n ->
        n.topology().groups().values().stream()
            .allMatch(g -> g.servers().stream().noneMatch(s -> s.redisVersion().isEmpty()))
            && n.topology().groups().equals(nodes.get(0).topology().groups())
            && n.topology().slots().equals(nodes.get(0).topology().slots())));
  }

  static int freePort() throws IOException {
    return dev.rekko.node.FreePorts.port();
  }

  @Override
  public synchronized void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      try {
        stop(i);
      } catch (RuntimeException e) {
        log.warn("stopping node {} failed", i, e);
      }
    }
    for (RedisServer s : servers) {
      try {
        s.close();
      } catch (RuntimeException e) {
        log.warn("stopping {} failed", s, e);
      }
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.debug("could not delete {}", root, e);
    }
  }
}
