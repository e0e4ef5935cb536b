package dev.rekko.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.config.GroupSeed;
import dev.rekko.node.consistency.ConsistencyChecker;
import dev.rekko.node.consistency.Report;
import dev.rekko.redis.launcher.RedisServer;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

/**
 * A rolling restart, as Kubernetes does one (Cluster Bootstrap, {@code config} discovery): under client
 * load on all three nodes, each node in turn stops gracefully (leaves the cluster) and starts again on
 * its ports and data folder, and serves again before the next one stops. Clients whose node goes away
 * move on to another. No acknowledged write is lost and none appears that no client made.
 */
class RollingRestartTest {

  @Test
  void restartingTheNodesOneByOneUnderLoadLosesNoWrite() throws Exception {
    try (RedisServer g1 = RedisServer.builder().start(); RedisServer g2 = RedisServer.builder().start();
        ClusterFixture fx = ClusterBootstrapTest.bootstrapCluster(Map.of("rekko.bootstrap.groups", GroupSeed.format(
            List.of(new GroupSeed(1, List.of(g1.address())), new GroupSeed(2, List.of(g2.address())))))).startAll()) {
      awaitConverged(fx);
      List<HostAndPort> endpoints = IntStream.range(0, 3).mapToObj(i -> new HostAndPort("127.0.0.1", fx.respPort(i)))
          .toList();
      try (ConsistencyChecker checker = ConsistencyChecker.builder().endpoints(endpoints).clients(4)
          .counters(400).registers(100).build().start()) {
        assertThat(checker.awaitAcked(500, ClusterFixture.WAIT)).isTrue();
        for (int i = 0; i < 3; i++) {
          fx.stop(i);
          fx.start(i);
          int restarted = i;
          ClusterFixture.await("node " + i + " is ready again", () -> ready(fx, restarted));
          awaitConverged(fx);
          // Load still flows before the next node stops.
          assertThat(checker.awaitAcked(200, ClusterFixture.WAIT)).isTrue();
          System.out.println(java.time.LocalTime.now() + " node " + i + " serves again; acked so far: "
              + checker.report().acked());
        }
        Report r = checker.stopAndVerify();
        System.out.println("rolling restart: " + r);
        assertThat(r.lost()).as("%s", r).isZero();
        assertThat(r.extra()).as("%s", r).isZero();
        assertThat(r.readYourWritesViolations()).as("%s", r).isZero();
        assertThat(r.unverified()).as("%s", r).isZero();
        assertThat(r.clientFailures()).as("%s", r).isEmpty();
        assertThat(r.acked()).isPositive();
      }
    }
  }

  private static boolean ready(ClusterFixture fx, int i) {
    try {
      return fx.api(i).get("/api/ready").status() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  /** Every node counts three members Up: the next stop leaves a majority of a settled cluster. */
  private static void awaitConverged(ClusterFixture fx) throws InterruptedException {
    ClusterFixture.await("every node sees three members Up", () -> IntStream.range(0, 3)
        .allMatch(i -> fx.node(i) != null && ClusterBootstrapTest.upMembers(fx.node(i)) == 3));
  }
}
