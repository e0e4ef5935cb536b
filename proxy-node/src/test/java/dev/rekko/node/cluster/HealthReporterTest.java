package dev.rekko.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.node.RekkoNode;
import dev.rekko.redis.launcher.RedisServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node's health reporter feeds the coordinator: with a real Redis as the master of the one group, the
 * coordinator's view ({@link Coordinator.GetHealth}) shows it up, as a master, seen by this node; once the
 * server is stopped the node reports it down.
 */
class HealthReporterTest {
  private ClusterFixture fx;
  private RedisServer redis;

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void theCoordinatorSeesTheServerAsTheNodeReportsIt() throws Exception {
    redis = RedisServer.builder().start();
    String addr = redis.address();
    fx = ClusterFixture.create(1, "", Map.of("rekko.bootstrap.groups", "1=" + addr)).startAll();
    RekkoNode node = fx.node(0);
    String self = node.cluster().selfAddress();

    ClusterFixture.await("the coordinator sees " + addr + " up", () -> {
      Coordinator.QuorumHealth h = health(node, addr);
      return h != null && h.up() && h.seenBy().contains(self) && h.role().equals("master");
    });

    redis.stop();
    ClusterFixture.await("the node reports " + addr + " down", () -> {
      Coordinator.QuorumHealth h = health(node, addr);
      return h != null && h.downNodes().contains(self);
    });
  }

  /** The coordinator's view of one server; null while it has none (or does not answer yet: asked again). */
  private static Coordinator.QuorumHealth health(RekkoNode node, String addr) {
    Coordinator.Result r;
    try {
      r = AskPattern.<Coordinator.Command, Coordinator.Result>ask(node.cluster().coordinator(),
          Coordinator.GetHealth::new, Duration.ofSeconds(5), node.system().scheduler())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return null;
    }
    assertThat(r).isInstanceOf(Coordinator.HealthView.class);
    return ((Coordinator.HealthView) r).servers().get(addr);
  }
}
