package dev.rekko.coordinator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rekko.redis.admin.RedisVersion;
import dev.rekko.redis.migrate.Credentials;
import dev.rekko.redis.migrate.ServerMoverSettings;
import dev.rekko.slots.SlotEntity;
import dev.rekko.slots.GroupMoverSettings;
import dev.rekko.slots.SlotSharding;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologyReplica;
import dev.rekko.topology.TopologySeed;
import dev.rekko.topology.TopologySettings;
import dev.rekko.topology.TopologySettings.Consistency;
import dev.rekko.topology.TopologyWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * A real cluster inside the test JVM: N systems on 127.0.0.1 with ephemeral Artery ports, each running
 * what a node runs for the coordinator (topology replica, writer, slot region, coordinator singleton).
 */
final class CoordinatorCluster implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final Duration ASK = Duration.ofSeconds(20);

  /**
   * The topology settings of these tests: a node's defaults, except that a replicator still loading its
   * durable store ignores reads from others, so failed first reads are given up and retried sooner.
   */
  static final TopologySettings TOPOLOGY = TopologySettings.of(Consistency.MAJORITY, Consistency.MAJORITY,
      Consistency.LOCAL, Consistency.MAJORITY, Duration.ofSeconds(3), Duration.ofSeconds(2), Consistency.MAJORITY,
      Duration.ofSeconds(1), Duration.ofMillis(200));

  /** A node's default {@code rekko.coordinator} settings, with these seed groups and backend password. */
  static CoordinatorSettings settings(List<TopologySeed.SeedGroup> seeds, String backendPassword) {
    return new CoordinatorSettings(seeds, "", backendPassword, Duration.ofSeconds(5), RedisVersion.MINIMUM,
        Duration.ofSeconds(30), Duration.ofSeconds(5), 1024);
  }

  /** One member and its proxies. */
  record Node(ActorSystem<Void> system, ActorRef<TopologyReplica.Command> replica,
      ActorRef<ShardingEnvelope<SlotEntity.Command>> slots, ActorRef<Coordinator.Command> coordinator) {

    Topology topology() {
      try {
        return AskPattern.<TopologyReplica.Command, Topology>ask(replica, TopologyReplica.GetTopology::new,
            Duration.ofSeconds(5), system.scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("no topology from " + system.address(), e);
      }
    }

    /** One operation through this node's singleton proxy. */
    Coordinator.Result ask(Function<ActorRef<Coordinator.Result>, Coordinator.Command> op) {
      try {
        return AskPattern.ask(coordinator, op::apply, ASK, system.scheduler()).toCompletableFuture()
            .get(ASK.toSeconds() + 5, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("no answer from the coordinator via " + system.address(), e);
      }
    }
  }

  final List<Node> nodes = new ArrayList<>();
  /** Every system still running, including any started before a failure. */
  private final List<ActorSystem<Void>> systems = new ArrayList<>();
  /**
   * A name of this cluster's own: a Pekko node of another test (in this JVM or another) that still tries
   * to join an address whose ephemeral port one of these systems now has would otherwise be let in, as
   * nodes of one system name are, and turn a one-node test cluster into two.
   */
  private final String name = "rekko-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16);

  /** Starts one system per data dir, joins them to the first, then starts the coordinator on each. */
  static CoordinatorCluster start(List<Path> dataDirs, String extraConfig, CoordinatorSettings settings) {
    CoordinatorCluster cluster = new CoordinatorCluster();
    try {
      List<ActorSystem<Void>> systems = cluster.systems;
      for (Path dir : dataDirs) {
        systems.add(ActorSystem.create(Behaviors.empty(), cluster.name, config(dir, extraConfig)));
      }
      Address first = Cluster.get(systems.get(0)).selfMember().address();
      systems.forEach(s -> Cluster.get(s).manager().tell(Join.create(first)));
      await("all members up", () -> systems.stream().allMatch(s -> upCount(s) == systems.size()));
      for (ActorSystem<Void> system : systems) {
        var replica = system.systemActorOf(TopologyReplica.create(t -> { }, TOPOLOGY), "topology", Props.empty());
        var writer = new TopologyWriter(system, TOPOLOGY);
        var slots = SlotSharding.init(system, writer);
        var movers = SlotSharding.initMovers(system, replica, slots, new GroupMoverSettings(
            new Credentials(settings.backendUser(), settings.backendPassword()), ServerMoverSettings.defaults()));
        var coordinator = CoordinatorSingleton.init(system, settings, replica, writer, slots, movers);
        cluster.nodes.add(new Node(system, replica, slots, coordinator));
      }
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  static Config config(Path dataDir, String extraConfig) {
    return ConfigFactory.parseString(extraConfig)
        .withFallback(TopologySettings.durableStoreConfig(dataDir))
        .withFallback(SlotSharding.durableStoreConfig(dataDir))
        .withFallback(ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = 127.0.0.1
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.enabled = off
            pekko.cluster.distributed-data.gossip-interval = 500ms
            pekko.cluster.distributed-data.notify-subscribers-interval = 100ms
            pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
            pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
            pekko.loglevel = WARNING
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            """))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  Node node(int i) {
    return nodes.get(i);
  }

  /** The member that hosts the singleton: the oldest Up member. */
  int oldest() {
    Member oldest = null;
    for (Member m : Cluster.get(nodes.get(0).system()).state().getMembers()) {
      if (m.status() == MemberStatus.up() && (oldest == null || m.isOlderThan(oldest))) {
        oldest = m;
      }
    }
    for (int i = 0; i < nodes.size(); i++) {
      if (oldest != null && nodes.get(i).system().address().equals(oldest.address())) {
        return i;
      }
    }
    throw new AssertionError("no oldest member");
  }

  /** Terminates one member (it leaves the cluster first) and forgets it. */
  void stop(int i) {
    Node node = nodes.remove(i);
    systems.remove(node.system());
    node.system().terminate();
    try {
      node.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("actor system did not terminate", e);
    }
    // Until the others have removed it, majority writes still count it and time out.
    await("the others removed the stopped member", () -> systems.stream().allMatch(s -> {
      long members = 0;
      for (Member m : Cluster.get(s).state().getMembers()) {
        members++;
      }
      return members == systems.size();
    }));
  }

  /** Retries while the coordinator is not reachable or not ready yet (after a start or a hand-over). */
  Coordinator.Result askUntilReady(int node, Function<ActorRef<Coordinator.Result>, Coordinator.Command> op) {
    Coordinator.Result[] last = new Coordinator.Result[1];
    await("a coordinator that answers", () -> {
      try {
        last[0] = nodes.get(node).ask(op);
        return !(last[0] instanceof Coordinator.Failed f && f.status() == 503
            && (f.message().contains("not loaded") || f.message().contains("seeding")));
      } catch (AssertionError e) {
        return false;
      }
    });
    return last[0];
  }

  /** Waits until every node's topology satisfies the condition; fails with the last one seen. */
  void awaitAll(String what, Predicate<Topology> condition) {
    for (Node n : nodes) {
      Topology[] last = new Topology[1];
      try {
        await(what, () -> condition.test(last[0] = n.topology()));
      } catch (AssertionError e) {
        throw new AssertionError(n.system().address() + " never saw " + what + "; last: " + last[0], e);
      }
    }
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static long upCount(ActorSystem<?> system) {
    long up = 0;
    for (Member m : Cluster.get(system).state().getMembers()) {
      up += m.status() == MemberStatus.up() ? 1 : 0;
    }
    return up;
  }

  @Override
  public void close() {
    systems.forEach(ActorSystem::terminate);
    for (ActorSystem<Void> s : systems) {
      try {
        s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("actor system did not terminate", e);
      }
    }
    nodes.clear();
    systems.clear();
  }
}
