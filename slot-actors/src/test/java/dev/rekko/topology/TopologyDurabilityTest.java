package dev.rekko.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.topology.TopologySeed.SeedGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology survives a full-cluster restart on the same data folders, and reaches a new empty node. */
class TopologyDurabilityTest {
  @TempDir
  Path dataRoot;

  private final List<List<Topology>> seen = new ArrayList<>();

  @Test
  void aFullRestartKeepsTheTopologyAndTheBootstrappedMarker() throws Exception {
    Path a = dataRoot.resolve("a");
    Path b = dataRoot.resolve("b");
    TopologySeed.Plan plan = TopologySeed.plan(List.of(
        new SeedGroup(1, List.of("10.0.0.1:6379", "10.0.0.2:6379")),
        new SeedGroup(2, List.of("10.0.0.3:6379"))));
    Topology before;
    try (TestCluster cluster = TestCluster.start(List.of(a, b), "")) {
      var replicas = startReplicas(cluster);
      cluster.awaitAll(replicas, "loaded", Topology::loaded);
      Topology empty = TestCluster.topologyOf(cluster.system(0), replicas.get(0));
      assertThat(TopologySeed.canSeed(empty, plan)).isTrue();
      var writer = new TopologyWriter(cluster.system(0), TestCluster.TOPOLOGY);
      TopologySeed.write(writer, plan).toCompletableFuture().get(10, TimeUnit.SECONDS);
      writer.putSlots(List.of(new SlotInfo(5, SlotState.MIGRATING, 1, 2, 7))).toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      for (int i = 0; i < 2; i++) {
        String address = Cluster.get(cluster.system(i)).selfMember().address().toString();
        NodeInfo node = new NodeInfo(address, "r" + i, "h" + i, NodeState.UP, 7);
        new TopologyWriter(cluster.system(i), TestCluster.TOPOLOGY).putNode(node).toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      cluster.awaitAll(replicas, "the whole topology", t -> t.bootstrapped() && t.nodes().size() == 2
          && t.slot(5).epoch() == 7 && t.slot(1023).group() == 2);
      before = TestCluster.topologyOf(cluster.system(1), replicas.get(1));
      assertThat(TopologySeed.canSeed(before, plan)).isFalse();
    }

    seen.clear();
    try (TestCluster cluster = TestCluster.start(List.of(a, b), "")) {
      var replicas = startReplicas(cluster);
      cluster.awaitAll(replicas, "loaded", Topology::loaded);
      for (int i = 0; i < 2; i++) {
        Topology after = TestCluster.topologyOf(cluster.system(i), replicas.get(i));
        assertThat(after).isEqualTo(before);
        // The first topology a node publishes already holds what was on disk: no empty table first.
        assertThat(seen.get(i).get(0)).isEqualTo(before);
      }
      assertThat(before.epoch()).isEqualTo(7);
      assertThat(before.groups().keySet()).containsExactly(1, 2);
      assertThat(before.slotCountByGroup()).containsEntry(1, 512).containsEntry(2, 512);
    }
  }

  @Test
  void aNodeWithAnEmptyFolderLoadsWhatTheMajorityHolds() throws Exception {
    Path a = dataRoot.resolve("a");
    TopologySeed.Plan plan = TopologySeed.plan(List.of(new SeedGroup(3, List.of("10.0.0.9:6379"))));
    try (TestCluster cluster = TestCluster.start(List.of(a), "")) {
      var replicas = startReplicas(cluster);
      cluster.awaitAll(replicas, "loaded", Topology::loaded);
      TopologySeed.write(new TopologyWriter(cluster.system(0), TestCluster.TOPOLOGY), plan).toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    }

    seen.clear();
    // a restarts from disk beside a node with an empty folder, whose majority read must reach a's content.
    try (TestCluster cluster = TestCluster.start(List.of(a, dataRoot.resolve("new")), "")) {
      var replicas = startReplicas(cluster);
      cluster.awaitAll(replicas, "loaded", Topology::loaded);
      for (int i = 0; i < 2; i++) {
        Topology first = seen.get(i).get(0);
        assertThat(first.bootstrapped()).isTrue();
        assertThat(first.slotCountByGroup()).containsExactly(Map.entry(3, 1024));
      }
    }
  }

  @Test
  void aReplicaIsNotLoadedBeforeItsNodeIsUp() throws Exception {
    Path a = dataRoot.resolve("a");
    try (TestCluster cluster = TestCluster.start(List.of(a), "")) {
      var replicas = startReplicas(cluster);
      cluster.awaitAll(replicas, "loaded", Topology::loaded);
      new TopologyWriter(cluster.system(0), TestCluster.TOPOLOGY).markBootstrapped(4).toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    }

    seen.clear();
    // Not joined: its store is on disk, but it must not count as loaded before it knows the cluster.
    try (TestCluster cluster = TestCluster.create(List.of(a), "")) {
      var replicas = startReplicas(cluster);
      TestCluster.sleep(500);
      assertThat(TestCluster.topologyOf(cluster.system(0), replicas.get(0)).loaded()).isFalse();
      assertThat(seen.get(0)).isEmpty();
      cluster.join();
      cluster.awaitAll(replicas, "loaded", Topology::loaded);
      assertThat(seen.get(0).get(0).epoch()).isEqualTo(4);
    }
  }

  private List<ActorRef<TopologyReplica.Command>> startReplicas(TestCluster cluster) {
    List<ActorRef<TopologyReplica.Command>> replicas = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      List<Topology> callbacks = new CopyOnWriteArrayList<>();
      seen.add(callbacks);
      replicas.add(cluster.system(i).systemActorOf(TopologyReplica.create(callbacks::add, TestCluster.TOPOLOGY), "topology",
          Props.empty()));
    }
    return replicas;
  }
}
