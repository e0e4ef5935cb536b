package dev.rekko.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.config.GroupSeed;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.topology.Topology;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The topology lives on every node's disk: a cluster seeded once from its bootstrap groups and changed
 * through the API comes back intact after every node was stopped, and nobody seeds it again. A node
 * that joins later serves only once it has loaded the topology.
 */
class ClusterRestartTest {

  @Test
  void fullRestartKeepsTheTopologyAndNobodySeedsAgain() throws Exception {
    try (RedisHolder redis = new RedisHolder(); ClusterFixture fx = ClusterFixture.create(3, "",
        Map.of("rekko.bootstrap.groups", GroupSeed.format(redis.seeds())))) {
      fx.startAll();
      fx.awaitAllSlotsOnline();
      // The slot actors know the seeded routes (they must not start before the seed and keep "offline").
      fx.api(0).post("/api/slots/migrate", "{\"from\":0,\"to\":3,\"group\":2}").ok();
      ClusterFixture.await("slots 0-3 moved to group 2", () -> fx.running().stream().allMatch(i ->
          fx.node(i).topology().slot(3).group() == 2
              && fx.node(i).topology().slot(3).state() == dev.rekko.topology.SlotState.ONLINE));
      fx.api(1).post("/api/groups", "{\"id\":3}").ok();
      fx.api(1).post("/api/groups/3/servers", "{\"addr\":\"" + redis.spare.address() + "\"}").ok();
      ClusterFixture.await("all see group 3", () -> fx.running().stream()
          .allMatch(i -> fx.node(i).topology().group(3).isPresent()));
      try (Jedis j = new Jedis("127.0.0.1", fx.respPort(0))) {
        j.set("survives", "yes");
      }
      ClusterFixture.awaitSettled(fx.running().stream().map(fx::node).toList());
      Topology before = fx.node(0).topology();
      for (int i = 2; i >= 0; i--) {
        fx.stop(i);
      }

      // All at once, as after a power cut; node 0 (the first seed) forms the cluster again. Own threads:
      // a start blocks on futures whose stages may need the common pool.
      ExecutorService starters = Executors.newFixedThreadPool(3);
      try {
        List<CompletableFuture<Void>> starts = List.of(0, 1, 2).stream()
            .map(i -> CompletableFuture.runAsync(() -> {
              try {
                fx.start(i);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            }, starters)).toList();
        CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).get();
      } finally {
        starters.shutdownNow();
      }
      fx.startAll();
      for (int i = 0; i < 3; i++) {
        Topology after = fx.node(i).topology();
        assertThat(after.slots()).as("node %d slots", i).isEqualTo(before.slots());
        assertThat(after.groups()).as("node %d groups", i).isEqualTo(before.groups());
        assertThat(after.epoch()).isEqualTo(before.epoch());
        assertThat(after.bootstrapped()).isTrue();
      }
      try (Jedis j = new Jedis("127.0.0.1", fx.respPort(2))) {
        assertThat(j.get("survives")).isEqualTo("yes");
      }
    }
  }

  @Test
  void aLateNodeServesOnlyAfterLoadingTheTopology() throws Exception {
    try (RedisHolder redis = new RedisHolder(); ClusterFixture fx = ClusterFixture.create(3, "",
        Map.of("rekko.bootstrap.groups", GroupSeed.format(redis.seeds())))) {
      fx.start(0);
      fx.start(1);
      fx.awaitServing(0);
      fx.awaitServing(1);
      try (Jedis j = new Jedis("127.0.0.1", fx.respPort(0))) {
        j.set("late", "value");
      }
      fx.start(2);
      // From its first reply on, the late node either refuses or answers right: never an offline
      // slot or a missing key from an empty routing table.
      int refusals = 0;
      try (Jedis j = new Jedis("127.0.0.1", fx.respPort(2), 10_000)) {
        while (true) {
          try {
            assertThat(j.get("late")).isEqualTo("value");
            break;
          } catch (JedisDataException e) {
            assertThat(e.getMessage()).isEqualTo("ERR router is not online");
            refusals++;
          }
        }
      }
      System.out.println("late node refused " + refusals + " commands before it had loaded the topology");
      assertThat(fx.node(2).topology().loaded()).isTrue();
    }
  }

  /** Two single-server groups for the bootstrap, and a spare server. */
  private static final class RedisHolder implements AutoCloseable {
    final RedisServer g1 = RedisServer.builder().start();
    final RedisServer g2 = RedisServer.builder().start();
    final RedisServer spare = RedisServer.builder().start();

    List<GroupSeed> seeds() {
      return List.of(new GroupSeed(1, List.of(g1.address())), new GroupSeed(2, List.of(g2.address())));
    }

    @Override
    public void close() {
      g1.close();
      g2.close();
      spare.close();
    }
  }
}
