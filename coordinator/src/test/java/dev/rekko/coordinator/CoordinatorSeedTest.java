package dev.rekko.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.coordinator.Coordinator.Failed;
import dev.rekko.coordinator.Coordinator.GroupChanged;
import dev.rekko.coordinator.Coordinator.Result;
import dev.rekko.redis.launcher.RedisBinary;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.ServerRole;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologySeed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two members configured with the same bootstrap groups: the singleton seeds the new cluster once, and a
 * coordinator that takes over later finds it bootstrapped and leaves it alone.
 */
class CoordinatorSeedTest {
  @TempDir
  Path dataRoot;

  @Test
  void seedsANewClusterOnceAndNeverAgain() {
    List<RedisServer> redis = new ArrayList<>();
    try {
      RedisServer s1 = add(redis, RedisServer.builder().start());
      RedisServer s1r = add(redis, RedisServer.builder().replicaOf(s1).start());
      RedisServer s2 = add(redis, RedisServer.builder().start());
      RedisServer s2r = add(redis, RedisServer.builder().start());
      List<TopologySeed.SeedGroup> seeds = List.of(
          new TopologySeed.SeedGroup(2, List.of(s2.address())),
          new TopologySeed.SeedGroup(1, List.of(s1.address(), s1r.address())));
      TopologySeed.Plan plan = TopologySeed.plan(seeds);
      CoordinatorSettings settings = CoordinatorCluster.settings(seeds, "");

      try (CoordinatorCluster cluster = CoordinatorCluster.start(
          List.of(dataRoot.resolve("n0"), dataRoot.resolve("n1")), "", settings)) {
        cluster.awaitAll("the seed", Topology::bootstrapped);
        for (CoordinatorCluster.Node node : cluster.nodes) {
          Topology t = node.topology();
          assertThat(t.groups().values().stream().map(CoordinatorSeedTest::asSeeded).toList())
              .containsExactlyElementsOf(plan.groups());
          assertThat(t.slots()).isEqualTo(plan.slots());
          assertThat(t.masterOf(0).orElseThrow().addr()).isEqualTo(s1.address());
          assertThat(t.masterOf(1023).orElseThrow().addr()).isEqualTo(s2.address());
        }

        GroupInfo g3 = changed(cluster.askUntilReady(1, r -> new Coordinator.CreateGroup(3, r)));
        assertThat(g3.epoch()).isGreaterThan(TopologySeed.EPOCH);
        Result online = cluster.node(0).ask(r -> new Coordinator.AssignSlots(0, 0, 2, r));
        assertThat(online).isInstanceOfSatisfying(Failed.class, f -> {
          assertThat(f.status()).isEqualTo(409);
          assertThat(f.message()).contains("0 (online at group 1)");
        });
        // A seeded group is an ordinary group: its master takes a replica like any other.
        GroupInfo g2 = changed(cluster.node(0).ask(r -> new Coordinator.AddServer(2, s2r.address(), "", r)));
        assertThat(g2.server(s2r.address()).orElseThrow().role()).isEqualTo(ServerRole.REPLICA);

        // The seed names servers without asking them; the coordinator learns their versions afterwards, so
        // that a migration from a newer Redis to an older one is refused on seeded clusters too.
        cluster.awaitAll("every server's Redis version", t -> t.groups().values().stream()
            .flatMap(g -> g.servers().stream()).allMatch(s -> s.redisVersion().equals(RedisBinary.BUNDLED_VERSION)));
        g2 = cluster.node(0).topology().group(2).orElseThrow();

        cluster.stop(cluster.oldest());
        GroupInfo g4 = changed(cluster.askUntilReady(0, r -> new Coordinator.CreateGroup(4, r)));
        assertThat(g4.epoch()).isGreaterThan(g3.epoch());
        Topology after = cluster.node(0).topology();
        assertThat(after.groups().keySet()).containsExactly(1, 2, 3, 4);
        assertThat(after.groups().get(2)).isEqualTo(g2);
        assertThat(after.slots()).isEqualTo(plan.slots());
        assertThat(after.slots()).allMatch(s -> s.epoch() == TopologySeed.EPOCH);
        assertThat(after.slots().stream().map(SlotInfo::group).distinct()).containsExactly(1, 2);
      }
    } finally {
      redis.forEach(RedisServer::close);
    }
  }

  /** The group as the seed wrote it: the coordinator may have added versions (and an epoch) since. */
  private static GroupInfo asSeeded(GroupInfo g) {
    return g.withServers(g.servers().stream()
        .map(s -> new ServerInfo(s.addr(), s.role(), s.datacenter(), "")).toList(), TopologySeed.EPOCH);
  }

  private static RedisServer add(List<RedisServer> servers, RedisServer server) {
    servers.add(server);
    return server;
  }

  private static GroupInfo changed(Result result) {
    assertThat(result).isInstanceOf(GroupChanged.class);
    return ((GroupChanged) result).group();
  }
}
