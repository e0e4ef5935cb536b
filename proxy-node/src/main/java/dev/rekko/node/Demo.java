package dev.rekko.node;

import dev.rekko.node.config.BackendSettings;
import dev.rekko.node.config.GroupSeed;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.config.ProxySettings;
import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.RedisBinary;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.redis.launcher.RedisServerOptions;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Rekko for trying it out: G Redis groups (a master and R replicas each, on free loopback
 * ports, started with the launcher of redis-module) and nodes whose bootstrap spreads the slots
 * evenly over those groups. {@link #close()} stops the nodes, then every Redis it started.
 */
public final class Demo implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Demo.class);

  /**
   * @param basePort node i listens for RESP on basePort + i
   * @param adminBasePort node i serves HTTP on adminBasePort + i
   * @param overrides {@code -D} settings for every node; the demo's own ports, bootstrap groups and
   *     data folders replace any given here
   */
  public record Options(
      int nodes, int groups, int replicas, int basePort, int adminBasePort,
      Optional<Path> configFile, Map<String, String> overrides, Duration readyTimeout) {
    public Options {
      overrides = Map.copyOf(overrides);
    }
  }

  private final List<List<RedisServer>> groups = new ArrayList<>();
  private final List<NodeConfig> configs = new ArrayList<>();
  private final List<AutoCloseable> nodes = new ArrayList<>();
  private final Path dataDir;
  private boolean closed;

  private Demo(Path dataDir) {
    this.dataDir = dataDir;
  }

  /** Starts everything and returns once every node answers PING; on failure stops what it started. */
  public static Demo start(Options options, NodeLauncher launcher) throws Exception {
    if (options.nodes() != 1) {
      throw new CliException("multi-node demo arrives with the cluster; run the demo with --nodes 1 for now");
    }
    // Settings errors show before any Redis starts.
    NodeConfig base = NodeConfig.load(options.configFile(), options.overrides());
    Demo demo = new Demo(Files.createTempDirectory("rekko-demo-"));
    try {
      demo.startRedis(base, options.groups(), options.replicas());
      for (int i = 0; i < options.nodes(); i++) {
        NodeConfig config = NodeConfig.load(options.configFile(),
            nodeOverrides(options, i, demo.seeds(), demo.dataDir.resolve("node-" + i)));
        demo.configs.add(config);
        log.info("starting node {}: RESP {}:{}, HTTP {}:{}", i, config.proxy().host(), config.proxy().port(),
            config.admin().host(), config.admin().port());
        demo.nodes.add(launcher.start(config));
      }
      for (NodeConfig config : demo.configs) {
        awaitPong(config.proxy(), options.readyTimeout());
      }
      return demo;
    } catch (Exception | Error e) {
      demo.close();
      throw e;
    }
  }

  /** {@code READY resp=h:p,... http=h:p,... redis=1=master,replica;2=...} — one line, for scripts. */
  public String readyLine() {
    return "READY resp=" + configs.stream().map(c -> c.proxy().host() + ":" + c.proxy().port())
            .collect(Collectors.joining(","))
        + " http=" + configs.stream().map(c -> c.admin().host() + ":" + c.admin().port())
            .collect(Collectors.joining(","))
        + " redis=" + GroupSeed.format(seeds());
  }

  public List<NodeConfig> nodeConfigs() {
    return List.copyOf(configs);
  }

  /** The Redis servers of group id i+1 at index i, master first. */
  public List<List<RedisServer>> redisGroups() {
    return groups.stream().map(List::copyOf).toList();
  }

  /** The groups as the nodes' bootstrap sees them. */
  public List<GroupSeed> seeds() {
    List<GroupSeed> seeds = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      seeds.add(new GroupSeed(i + 1, groups.get(i).stream().map(RedisServer::address).toList()));
    }
    return seeds;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int i = nodes.size() - 1; i >= 0; i--) {
      try {
        nodes.get(i).close();
      } catch (Exception e) {
        log.warn("stopping node {} failed", i, e);
      }
    }
    for (List<RedisServer> group : groups) {
      // Replicas before their master, so none of them logs a lost master on the way out.
      for (int i = group.size() - 1; i >= 0; i--) {
        group.get(i).close();
      }
    }
    deleteRecursively(dataDir);
    log.info("demo stopped: {} node(s), {} Redis server(s)", nodes.size(), groups.stream().mapToInt(List::size).sum());
  }

  private void startRedis(NodeConfig base, int groupCount, int replicas) {
    RedisBinary binary = base.redisBinary().isBlank()
        ? RedisBinary.resolve()
        : RedisBinary.of(Path.of(base.redisBinary()), "rekko.redis.binary");
    log.info("starting {} Redis group(s) of 1 master + {} replica(s), redis-server {} ({})",
        groupCount, replicas, binary.version(), binary.path());
    for (int g = 1; g <= groupCount; g++) {
      List<RedisServer> group = new ArrayList<>();
      groups.add(group);
      RedisServer master = withCredentials(RedisServer.builder().binary(binary), base.backend()).start();
      group.add(master);
      for (int r = 0; r < replicas; r++) {
        group.add(withCredentials(RedisServer.builder().binary(binary), base.backend()).replicaOf(master).start());
      }
      log.info("group {}: {}", g, group.stream().map(RedisServer::address).collect(Collectors.joining(", ")));
    }
  }

  /** The demo's Redis servers demand the password the nodes are configured to send. */
  private static RedisServerOptions withCredentials(RedisServerOptions options, BackendSettings backend) {
    if (backend.password().isEmpty()) {
      return options;
    }
    return backend.user().isEmpty()
        ? options.password(backend.password())
        : options.aclUser(backend.user(), backend.password());
  }

  private static Map<String, String> nodeOverrides(Options o, int i, List<GroupSeed> seeds, Path dir) {
    Map<String, String> all = new LinkedHashMap<>(o.overrides());
    all.put("rekko.proxy.port", Integer.toString(o.basePort() + i));
    all.put("rekko.admin.port", Integer.toString(o.adminBasePort() + i));
    all.put("rekko.bootstrap.groups", GroupSeed.format(seeds));
    all.put("rekko.data-dir", dir.toString());
    return all;
  }

  /** "Serving" means answering PING with PONG, which a node does only once its routing table is loaded. */
  private static void awaitPong(ProxySettings proxy, Duration timeout) throws InterruptedException {
    String host = proxy.host().equals("0.0.0.0") || proxy.host().equals("::") ? "127.0.0.1" : proxy.host();
    long deadline = System.nanoTime() + timeout.toNanos();
    Object last = "no connection";
    while (System.nanoTime() < deadline) {
      try (LocalRedisClient client = new LocalRedisClient(host, proxy.port(), 2_000)) {
        if (!proxy.password().isEmpty()) {
          client.call("AUTH", proxy.password());
        }
        last = client.call("PING");
        if ("PONG".equals(last)) {
          return;
        }
      } catch (IOException e) {
        last = e.getMessage();
      }
      Thread.sleep(100);
    }
    throw new CliException("the node on " + host + ":" + proxy.port() + " did not answer PING within "
        + timeout.toSeconds() + " s (last answer: " + last + ")");
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.debug("cannot delete {}", dir, e);
    }
  }
}
