package dev.rekko.node.proxy;

import dev.rekko.node.RekkoNode;
import dev.rekko.node.config.GroupSeed;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.redis.launcher.RedisServerOptions;
import dev.rekko.redis.tls.Certificates;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * G groups of real {@code redis-server} (a master and optionally replicas, optionally with a password)
 * and one {@link RekkoNode} in front of them, all on free loopback ports. Hands out clients of every
 * kind and closes them, the node(s) and the servers in {@link #close()}, whatever state a failed test
 * left them in. Extra nodes with other settings can share the same servers ({@link #startNode}).
 *
 * <p>One fixture for a whole test class: {@code @RegisterExtension static final ProxyFixture fx =
 * ProxyFixture.builder().groups(2).perClass();} starts before the class's {@code @BeforeAll} methods and
 * closes after its {@code @AfterAll} ones (again for each subclass, e.g. an {@link OnStreams} one).
 */
final class ProxyFixture implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  private static final Logger log = LoggerFactory.getLogger(ProxyFixture.class);
  /** Client socket timeout: long enough for a loaded CI machine, short enough that nothing hangs. */
  static final int TIMEOUT_MILLIS = 15_000;
  /**
   * {@code rekko.proxy.transport} for the fixtures started from now on, unless a test sets it: empty =
   * the node's default. {@link OnStreams} sets it for a whole test class.
   */
  static volatile String transport = System.getProperty("rekko.test.transport", "");

  private final ProxyFixtureBuilder settings;
  private final String backendPassword;
  private final List<List<RedisServer>> groups = new ArrayList<>();
  private final List<RekkoNode> nodes = new ArrayList<>();
  private final List<AutoCloseable> clients = new ArrayList<>();
  // Set by open(): a per-class fixture opens once per test class.
  private Map<String, String> baseOverrides;
  private int[] groupOfSlot;
  private Path dataRoot;
  // With ProxyFixtureBuilder.backendTls: the CA every server's and the node's certificates come from.
  private Certificates backendCa;
  // With ProxyFixtureBuilder.reference: a plain redis-server beside the groups.
  private RedisServer reference;

  static ProxyFixtureBuilder builder() {
    return new ProxyFixtureBuilder();
  }

  ProxyFixture(ProxyFixtureBuilder b) {
    this.settings = b;
    this.backendPassword = b.backendPassword;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    open();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** Starts the servers and the first node. */
  void open() throws Exception {
    ProxyFixtureBuilder b = settings;
    this.dataRoot = java.nio.file.Files.createTempDirectory(
        java.nio.file.Path.of(System.getProperty("java.io.tmpdir")), "rekko-fixture-");
    try {
      if (b.backendTls) {
        backendCa = Certificates.newCa(dataRoot.resolve("tls"), "rekko-fixture-ca");
      }
      for (int g = 0; g < b.groups; g++) {
        List<RedisServer> group = new ArrayList<>();
        groups.add(group);
        RedisServer master = options(b.backendPassword, "redis-" + g + "-0").start();
        group.add(master);
        for (int r = 0; r < b.replicas; r++) {
          group.add(options(b.backendPassword, "redis-" + g + "-" + (r + 1)).replicaOf(master).start());
        }
      }
      Map<String, String> o = new LinkedHashMap<>();
      o.put("rekko.proxy.host", "127.0.0.1");
      o.put("rekko.proxy.port", "0");
      o.put("rekko.admin.host", "127.0.0.1");
      o.put("rekko.admin.port", "0");
      o.put("rekko.dispatcher.parallelism", "2");
      // Two client threads (the default is half the cores), so that the tests cross them.
      o.put("rekko.proxy.io-threads", "2");
      if (!transport.isEmpty()) {
        o.put("rekko.proxy.transport", transport);
      }
      // Each node forms a cluster of its own (no seed nodes) and seeds it from the bootstrap groups.
      o.put("rekko.cluster.port", "0");
      o.put("rekko.cluster.form-new-cluster", "on");
      o.put("rekko.bootstrap.groups", GroupSeed.format(seeds()));
      if (!b.backendPassword.isEmpty()) {
        o.put("rekko.backend.password", b.backendPassword);
      }
      if (backendCa != null) {
        Certificates.Issued node = backendCa.issue("rekko-node");
        o.put("rekko.backend.tls.enabled", "on");
        o.put("rekko.backend.tls.ca-file", backendCa.caFile().toString());
        o.put("rekko.backend.tls.cert-file", node.cert().toString());
        o.put("rekko.backend.tls.key-file", node.key().toString());
      }
      o.putAll(b.overrides);
      this.baseOverrides = Map.copyOf(o);
      this.groupOfSlot = GroupSeed.evenSlots(seeds());
      startNode(Map.of());
      if (b.migrationsPaused) {
        pauseMigrations();
      }
      if (b.reference) {
        reference = track(RedisServer.builder().start());
      }
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  private RedisServerOptions options(String password, String name) throws Exception {
    RedisServerOptions o = RedisServer.builder();
    if (backendCa != null) {
      Certificates.Issued cert = backendCa.issue(name);
      o.tls(cert.cert(), cert.key(), backendCa.caFile());
    }
    return password.isEmpty() ? o : o.password(password);
  }

  List<GroupSeed> seeds() {
    List<GroupSeed> seeds = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      seeds.add(new GroupSeed(i + 1, groups.get(i).stream().map(RedisServer::address).toList()));
    }
    return seeds;
  }

  /** The first node, started with the builder's settings. */
  RekkoNode node() {
    return nodes.get(0);
  }

  /** Another node on the same servers: the builder's settings plus {@code extra}; closed with the fixture. */
  synchronized RekkoNode startNode(Map<String, String> extra) throws Exception {
    Map<String, String> o = new LinkedHashMap<>(baseOverrides);
    o.putAll(extra);
    o.putIfAbsent("rekko.data-dir", dataRoot.resolve("node-" + nodes.size()).toString());
    RekkoNode node = RekkoNode.start(NodeConfig.of(o));
    nodes.add(node);
    awaitServing(node);
    return node;
  }

  /**
   * Waits until the node has loaded its topology, the coordinator has seeded it from the bootstrap and
   * every slot routes to a master. The last check because a topology can say bootstrapped before the
   * seed's slots are online in it (seen: the first SET answered "slot is not ready" now and then,
   * more often since the RESP listener serves a new connection's first command sooner).
   */
  static void awaitServing(RekkoNode node) throws InterruptedException {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    while (!node.serving() || !node.topology().bootstrapped() || !allSlotsOnline(node)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("node does not serve after 30 s; topology: " + node.topology());
      }
      Thread.sleep(20);
    }
  }

  /**
   * Waits until the coordinator has written the Redis versions it learns after start into every group.
   * A test that writes a group itself must wait for this first: the coordinator's write, made from the
   * topology it read before, can otherwise land after the test's at the same epoch and undo it (seen:
   * ReplicaReadTest's datacenters gone).
   */
  void awaitVersionsLearned() throws InterruptedException {
    if (!await(Duration.ofSeconds(30), () -> node().topology().groups().values().stream()
        .allMatch(g -> g.servers().stream().noneMatch(s -> s.redisVersion().isEmpty())))) {
      throw new AssertionError("Redis versions not learned after 30 s; topology: " + node().topology());
    }
  }

  private static boolean allSlotsOnline(RekkoNode node) {
    RoutingTable table = node.context().router().table();
    return table != null && table.routes().stream().allMatch(SlotRoute::online);
  }

  /** The plain redis-server of {@link ProxyFixtureBuilder#reference()}. */
  RedisServer reference() {
    return reference;
  }

  /** The master of group {@code id} (1-based, as in the bootstrap). */
  RedisServer master(int id) {
    return groups.get(id - 1).get(0);
  }

  /** Server {@code index} of group {@code id} as started: 0 is the master, then its replicas. */
  RedisServer server(int id, int index) {
    return groups.get(id - 1).get(index);
  }

  List<RedisServer> masters() {
    return groups.stream().map(g -> g.get(0)).toList();
  }

  int groupOf(String key) {
    return groupOfSlot[SlotHash.slot(key.getBytes(StandardCharsets.UTF_8))];
  }

  /** The master that owns {@code key}'s slot, according to the even bootstrap spread. */
  RedisServer masterOf(String key) {
    return master(groupOf(key));
  }

  /** A key with {@code prefix} whose slot belongs to group {@code id}. */
  String keyInGroup(String prefix, int id) {
    for (int i = 0; ; i++) {
      String k = prefix + i;
      if (groupOf(k) == id) {
        return k;
      }
    }
  }

  /** The first hash tag of {@code {name0}}, {@code {name1}}, ... whose slot belongs to group {@code id}. */
  String tagInGroup(String name, int id) {
    for (int i = 0; ; i++) {
      String tag = "{" + name + i + "}";
      if (groupOf(tag) == id) {
        return tag;
      }
    }
  }

  /**
   * Pauses the coordinator's migrations through the node's admin API: for tests that write a slot's
   * migration steps themselves (the movers must not finish them behind their back), or whose new groups
   * must stay without slots.
   */
  void pauseMigrations() throws IOException, InterruptedException {
    NodeApi.postOk(node(), "/api/migrations/pause", "");
  }

  Jedis jedis() {
    return jedis(node(), b -> { });
  }

  Jedis jedis(RekkoNode n) {
    return jedis(n, b -> { });
  }

  /** A Jedis on a node's RESP port; {@code config} may add a password, a client name, a database. */
  Jedis jedis(RekkoNode n, Consumer<DefaultJedisClientConfig.Builder> config) {
    DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
        .autoNegotiateProtocol(false)
        .timeoutMillis(TIMEOUT_MILLIS);
    config.accept(b);
    return track(new Jedis(new HostAndPort("127.0.0.1", n.respPort()), b.build()));
  }

  /** A Jedis straight to one Redis server, to check where keys really are. */
  Jedis direct(RedisServer server) {
    DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
        .autoNegotiateProtocol(false)
        .timeoutMillis(TIMEOUT_MILLIS);
    if (!backendPassword.isEmpty()) {
      b.password(backendPassword);
    }
    if (server.tls() != null) {
      b.ssl(true).sslSocketFactory(server.tls().context().getSocketFactory());
    }
    return track(new Jedis(new HostAndPort("127.0.0.1", server.port()), b.build()));
  }

  /** A Lettuce client for a node; shut down with the fixture. */
  RedisClient lettuce(RekkoNode n, Consumer<RedisURI.Builder> uri) {
    RedisURI.Builder b = RedisURI.builder().withHost("127.0.0.1").withPort(n.respPort())
        .withTimeout(Duration.ofMillis(TIMEOUT_MILLIS));
    uri.accept(b);
    RedisClient client = RedisClient.create(b.build());
    track(() -> client.shutdown(0, 5, TimeUnit.SECONDS));
    return client;
  }

  RespSocket socket() throws IOException {
    return socket(node());
  }

  RespSocket socket(RekkoNode n) throws IOException {
    return track(new RespSocket(n.respPort(), TIMEOUT_MILLIS));
  }

  RespSocket socket(RedisServer server) throws IOException {
    return track(new RespSocket(server.port(), TIMEOUT_MILLIS));
  }

  synchronized <T extends AutoCloseable> T track(T resource) {
    clients.add(resource);
    return resource;
  }

  /** Polls {@code condition} until it holds or {@code timeout} passes; true if it held. */
  static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    return condition.getAsBoolean();
  }

  @Override
  public synchronized void close() {
    for (int i = clients.size() - 1; i >= 0; i--) {
      try {
        clients.get(i).close();
      } catch (Exception e) {
        log.debug("closing a client failed", e);
      }
    }
    clients.clear();
    for (int i = nodes.size() - 1; i >= 0; i--) {
      try {
        nodes.get(i).close();
      } catch (RuntimeException e) {
        log.warn("closing a node failed", e);
      }
    }
    nodes.clear();
    for (List<RedisServer> group : groups) {
      for (int i = group.size() - 1; i >= 0; i--) {
        try {
          group.get(i).close();
        } catch (RuntimeException e) {
          log.warn("closing {} failed", group.get(i), e);
        }
      }
    }
    groups.clear();
    backendCa = null;
    reference = null;
    if (dataRoot != null) {
      deleteTree(dataRoot);
    }
  }

  static void deleteTree(Path root) {
    try (var paths = java.nio.file.Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      log.debug("could not delete {}", root, e);
    }
  }
}
