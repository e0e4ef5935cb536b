package dev.rekko.multinode;

import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.RekkoNode;
import dev.rekko.redis.launcher.LocalRedisClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.JoinSeedNodes;

/**
 * Three Rekko nodes, each in its own JVM, serving clients from the same seeded topology. The third is
 * cut off from the other two: within {@code fence-after} it refuses client commands, then the Split
 * Brain Resolver downs it and it stops its listeners; nodes 1 and 2 serve throughout. After the link is
 * healed, a new node started in the third JVM on the same data directory joins and serves again.
 */
public final class FenceSpec extends RekkoScenario {

  private Address firstAddress;

  public FenceSpec() {
    super(new ThreeRoles("FenceSpec"));
  }

  @Override
  protected void run(RekkoNode node, String seeds) throws Exception {
    call(node.respPort(), "SET", "k-" + myself().name(), "v");
    enterBarrier("wrote");

    Address thirdAddress = addressOf(roles.third);
    // The conductor cannot be asked once this node's system is gone: learn the seed's address now.
    firstAddress = addressOf(roles.first);
    runOn(roles.first, () -> {
      removeFromBarriers(roles.third);
      blackhole(roles.first, roles.third);
      blackhole(roles.second, roles.third);
    });

    runOn(List.of(roles.first, roles.second), () -> {
      AtomicLong failures = new AtomicLong();
      AtomicReference<Object> lastFailure = new AtomicReference<>();
      Thread traffic = trafficThread(node.respPort(), failures, lastFailure);
      traffic.start();
      awaitCond("third unreachable", () -> isUnreachable(thirdAddress), Duration.ofSeconds(20));
      awaitCond("third downed and removed", () -> upMembers().size() == 2
          && !upMembers().contains(thirdAddress) && cluster().state().getUnreachable().isEmpty(),
          Duration.ofSeconds(40));
      traffic.interrupt();
      traffic.join(10_000);
      if (failures.get() > 0) {
        throw new AssertionError(failures.get() + " client commands failed on " + myself().name()
            + " during the partition, last: " + lastFailure.get());
      }
      note("served clients throughout the partition");
      call(node.respPort(), "SET", "written-during-partition", myself().name());
      enterBarrier("third-removed");
      healLocally(thirdAddress);
    });

    runOn(roles.third, () -> thirdSide(node, seeds));

    runOn(List.of(roles.first, roles.second), () -> {
      awaitCond("third back and done", () -> "yes".equals(callQuietly(node.respPort(), "GET", "third-done")),
          Duration.ofSeconds(90));
      enterBarrier("done");
    });
    // The node lives in the testkit's ActorSystem, which the testkit shuts down after the scenario (a
    // node's close would run coordinated shutdown and terminate it before the testkit is done with it).
  }

  /** The cut-off node: fenced first, downed next, then a new incarnation rejoins and serves. */
  private void thirdSide(RekkoNode node, String seeds) throws Exception {
    long cut = System.nanoTime();
    awaitCond("fenced", () -> String.valueOf(callQuietly(node.respPort(), "GET", "k-third"))
        .contains("node is fenced"), Duration.ofSeconds(20));
    note("fenced " + (System.nanoTime() - cut) / 1_000_000 + " ms after the cut (fence-after " + FENCE_AFTER + ")");
    if (system().whenTerminated().isCompleted()) {
      throw new AssertionError("fencing must come before the downing, not with it");
    }
    boolean downed = node.stopped().toCompletableFuture().get(60, TimeUnit.SECONDS);
    if (!downed) {
      throw new AssertionError("the node stopped, but not because the cluster downed it");
    }
    note("downed and stopped " + (System.nanoTime() - cut) / 1_000_000 + " ms after the cut");
    try (Socket s = new Socket("127.0.0.1", node.respPort())) {
      throw new AssertionError("RESP port still accepts connections after the node was downed");
    } catch (ConnectException expected) {
      note("RESP listener closed");
    }

    ActorSystem<Void> again = ActorSystem.create(Behaviors.empty(), system().name(), system().settings().config());
    RekkoNode restarted = RekkoNode.startOn(again, NodeConfig.of(settings(seeds)), false);
    try {
      Cluster.get(again).manager().tell(new JoinSeedNodes(List.of(firstAddress)));
      awaitCond("restarted node serves", restarted::serving, Duration.ofSeconds(60));
      awaitCond("restarted node reads the majority's writes",
          () -> callQuietly(restarted.respPort(), "GET", "written-during-partition") != null,
          Duration.ofSeconds(30));
      call(restarted.respPort(), "SET", "third-done", "yes");
      note("restarted node serves");
      // Let the others read the marker before this member leaves.
      Thread.sleep(3000);
    } finally {
      restarted.close();
    }
  }

  private Thread trafficThread(int port, AtomicLong failures, AtomicReference<Object> lastFailure) {
    Thread t = new Thread(() -> {
      try (LocalRedisClient c = new LocalRedisClient("127.0.0.1", port, 5000)) {
        for (long i = 0; !Thread.currentThread().isInterrupted(); i++) {
          Object r = c.call("SET", "traffic-" + myself().name(), Long.toString(i));
          if (!"OK".equals(String.valueOf(r))) {
            failures.incrementAndGet();
            lastFailure.set(r);
          }
          Thread.sleep(5);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        failures.incrementAndGet();
        lastFailure.set(e);
      }
    }, "traffic");
    t.setDaemon(true);
    return t;
  }

  private static Object call(int port, String... args) throws IOException {
    try (LocalRedisClient c = new LocalRedisClient("127.0.0.1", port, 5000)) {
      Object r = c.call(args);
      if (r instanceof LocalRedisClient.RedisError e) {
        throw new IOException(String.join(" ", args) + ": " + e.message());
      }
      return r;
    }
  }

  private static Object callQuietly(int port, String... args) {
    try (LocalRedisClient c = new LocalRedisClient("127.0.0.1", port, 5000)) {
      Object r = c.call(args);
      return r instanceof LocalRedisClient.RedisError e ? e.message() : r;
    } catch (IOException e) {
      return e.toString();
    }
  }
}
