package dev.rekko.multinode;

import dev.rekko.node.config.GroupSeed;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.RekkoNode;
import dev.rekko.redis.launcher.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.remote.testconductor.RoleName;

/**
 * Base of the scenarios that run a real Rekko node in each of three JVMs: the first starts two Redis
 * servers and shares their addresses through a file; every node runs in the testkit's ActorSystem (so the
 * conductor's faults reach it) with its own data folder, joins the first, and serves the topology the
 * coordinator seeded evenly over the two groups (group 1: slots 0-511, group 2: 512-1023). The subclass's
 * {@link #run} starts from there.
 */
abstract class RekkoScenario extends MultiNodeScenario {
  /** Three nodes, each with its data folders under {@code target/multi-jvm/<spec>/data-<role>}. */
  static class ThreeRoles extends ClusterNodeConfig {
    final RoleName first = role("first");
    final RoleName second = role("second");
    final RoleName third = role("third");
    final Path dir;

    ThreeRoles(String spec) {
      dir = Path.of("target/multi-jvm", spec);
      for (RoleName r : List.of(first, second, third)) {
        String data = dir.resolve("data-" + r.name()).toAbsolutePath().toString();
        overrideConfig(r, """
            pekko.cluster.distributed-data.durable.keys = ["rekko-*"]
            pekko.cluster.distributed-data.durable.lmdb.dir = "%s/distributed-data"
            pekko.cluster.sharding.distributed-data.durable.lmdb.dir = "%s/sharding"
            pekko.cluster.sharding.distributed-data.durable.keys = []
            pekko.cluster.distributed-data.notify-subscribers-interval = 100ms
            """.formatted(data, data));
      }
    }
  }

  /** Used by the scenarios: 2 s to fence, 5 s (the base config's) for the resolver to decide. */
  static final Duration FENCE_AFTER = Duration.ofSeconds(2);

  protected final ThreeRoles roles;
  private final List<RedisServer> redis = new ArrayList<>();

  protected RekkoScenario(ThreeRoles roles) {
    super(roles);
    this.roles = roles;
  }

  /** Runs once every node serves; {@code seeds} are the bootstrap groups, for starting a node again. */
  protected abstract void run(RekkoNode node, String seeds) throws Exception;

  @Override
  public final void scenario() throws Exception {
    Path seedsFile = roles.dir.resolve("bootstrap-groups");
    runOn(roles.first, () -> {
      redis.add(RedisServer.builder().start());
      redis.add(RedisServer.builder().start());
      Files.writeString(seedsFile, GroupSeed.format(List.of(
          new GroupSeed(1, List.of(redis.get(0).address())), new GroupSeed(2, List.of(redis.get(1).address())))));
    });
    enterBarrier("redis-up");
    String seeds = Files.readString(seedsFile);
    try {
      RekkoNode node = RekkoNode.startOn(Adapter.toTyped(system()), NodeConfig.of(settings(seeds)), false);
      joinCluster(roles.first);
      awaitCond("serving", node::serving, Duration.ofSeconds(60));
      enterBarrier("all-serving");
      // The node lives in the testkit's ActorSystem, which the testkit shuts down after the scenario (a
      // node's close would run coordinated shutdown and terminate it before the testkit is done with it).
      run(node, seeds);
    } finally {
      redis.forEach(RedisServer::close);
    }
  }

  /** A node's settings: free ports, the scenario's fencing and resolver timing, the bootstrap groups. */
  static Map<String, String> settings(String seeds) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("rekko.proxy.port", "0");
    o.put("rekko.admin.port", "0");
    o.put("rekko.cluster.port", "0");
    o.put("rekko.cluster.stable-after", "5s");
    o.put("rekko.cluster.fence-after", FENCE_AFTER.toMillis() + "ms");
    o.put("rekko.bootstrap.groups", seeds);
    // Unused: in an existing ActorSystem the data folders come from its config (ThreeRoles).
    o.put("rekko.data-dir", "unused");
    return o;
  }
}
