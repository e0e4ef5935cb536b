package dev.rekko.topology;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rekko.redis.migrate.Credentials;
import dev.rekko.redis.migrate.ServerMoverSettings;
import dev.rekko.slots.GroupMoverSettings;
import dev.rekko.topology.TopologySettings.Consistency;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** Real Pekko clusters inside the test JVM: N systems on 127.0.0.1 with ephemeral Artery ports. */
final class TestCluster implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(15);

  /**
   * The topology settings of these tests: a node's defaults, except that a replicator still loading its
   * durable store ignores reads from others, so failed first reads are given up and retried sooner.
   */
  static final TopologySettings TOPOLOGY = TopologySettings.of(Consistency.MAJORITY, Consistency.MAJORITY,
      Consistency.LOCAL, Consistency.MAJORITY, Duration.ofSeconds(3), Duration.ofSeconds(2), Consistency.MAJORITY,
      Duration.ofSeconds(1), Duration.ofMillis(200));

  /** A group mover without credentials and with the default walk. */
  static final GroupMoverSettings MOVER = new GroupMoverSettings(Credentials.NONE, ServerMoverSettings.defaults());

  final List<ActorSystem<Void>> systems = new ArrayList<>();
  /**
   * A name of this cluster's own: a Pekko node of another test (in this JVM or another) that still tries
   * to join an address whose ephemeral port one of these systems now has would otherwise be let in, as
   * nodes of one system name are, and turn a one-node test cluster into two.
   */
  private final String name = "rekko-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16);

  /** Starts one system per data dir (a fresh system each time, even on an old dir) and joins them. */
  static TestCluster start(List<Path> dataDirs, String extraConfig) {
    TestCluster cluster = create(dataDirs, extraConfig);
    try {
      cluster.join();
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** Starts the systems without joining them. */
  static TestCluster create(List<Path> dataDirs, String extraConfig) {
    TestCluster cluster = new TestCluster();
    try {
      for (Path dir : dataDirs) {
        cluster.systems.add(ActorSystem.create(Behaviors.empty(), cluster.name, config(dir, extraConfig)));
      }
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** Joins every system to the first and waits until all are Up everywhere. */
  void join() {
    Address first = Cluster.get(system(0)).selfMember().address();
    systems.forEach(s -> Cluster.get(s).manager().tell(Join.create(first)));
    await("all members up", () -> systems.stream().allMatch(s -> upCount(s) == systems.size()));
  }

  static Config config(Path dataDir, String extraConfig) {
    return ConfigFactory.parseString(extraConfig)
        .withFallback(TopologySettings.durableStoreConfig(dataDir))
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

  private static long upCount(ActorSystem<?> system) {
    var state = Cluster.get(system).state();
    long up = 0;
    for (var m : state.getMembers()) {
      up += m.status() == MemberStatus.up() ? 1 : 0;
    }
    return up;
  }

  ActorSystem<Void> system(int i) {
    return systems.get(i);
  }

  int size() {
    return systems.size();
  }

  /** Asks a replica for its topology. */
  static Topology topologyOf(ActorSystem<?> system, ActorRef<TopologyReplica.Command> replica) {
    try {
      return AskPattern.<TopologyReplica.Command, Topology>ask(replica, TopologyReplica.GetTopology::new,
          Duration.ofSeconds(3), system.scheduler()).toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no topology from " + replica, e);
    }
  }

  /** Waits until every replica's topology satisfies the condition; fails with the last one seen. */
  void awaitAll(List<ActorRef<TopologyReplica.Command>> replicas, String what,
      Predicate<Topology> condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (int i = 0; i < replicas.size(); i++) {
      Topology last;
      do {
        last = topologyOf(systems.get(i), replicas.get(i));
        if (condition.test(last)) {
          break;
        }
        sleep(50);
      } while (System.nanoTime() < deadline);
      if (!condition.test(last)) {
        throw new AssertionError("node " + i + " never saw " + what + "; epoch " + last.epoch() + ", loaded "
            + last.loaded());
      }
    }
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      sleep(50);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Terminates every system and waits for each, so LMDB files are closed before a restart on them. */
  @Override
  public void close() {
    systems.forEach(ActorSystem::terminate);
    for (ActorSystem<Void> s : systems) {
      try {
        s.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("actor system did not terminate", e);
      }
    }
    systems.clear();
  }
}
