package dev.rekko.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real cluster members in this JVM, one replica each. The tests share the cluster, so each uses
 * its own groups, slots and nodes. {@code serialize-messages} is on: every message the replicas and
 * writers exchange, local ones too, must survive the configured serializers.
 */
class TopologyReplicationTest {
  @TempDir
  static Path dataRoot;

  private static TestCluster cluster;
  private static final List<ActorRef<TopologyReplica.Command>> replicas = new ArrayList<>();
  private static final List<TopologyWriter> writers = new ArrayList<>();
  private static final List<List<Topology>> seen = new ArrayList<>();

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(
        List.of(dataRoot.resolve("n0"), dataRoot.resolve("n1"), dataRoot.resolve("n2")),
        "pekko.actor.serialize-messages = on");
    for (int i = 0; i < cluster.size(); i++) {
      List<Topology> callbacks = new CopyOnWriteArrayList<>();
      seen.add(callbacks);
      replicas.add(cluster.system(i).systemActorOf(TopologyReplica.create(callbacks::add, TestCluster.TOPOLOGY), "topology",
          Props.empty()));
      writers.add(new TopologyWriter(cluster.system(i), TestCluster.TOPOLOGY));
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void anEmptyClusterLoadsAsEmpty() {
    cluster.awaitAll(replicas, "loaded", Topology::loaded);
    for (int i = 0; i < cluster.size(); i++) {
      assertThat(seen.get(i)).isNotEmpty();
      assertThat(seen.get(i).get(0).loaded()).isTrue();
      assertThat(seen.get(i)).allMatch(Topology::loaded);
    }
  }

  @Test
  void groupsWrittenOnOneNodeReachEveryNodeAndItsCallback() throws Exception {
    GroupInfo group = new GroupInfo(11, List.of(ServerInfo.master("10.1.0.1:6379"),
        ServerInfo.replica("10.1.0.2:6379")), false, 3);
    get(writers.get(0).putGroup(group));
    cluster.awaitAll(replicas, "group 11", t -> group.equals(t.groups().get(11)));
    TestCluster.await("callbacks saw group 11",
        () -> seen.stream().allMatch(s -> group.equals(s.get(s.size() - 1).groups().get(11))));

    GroupInfo moved = group.withServers(List.of(ServerInfo.master("10.1.0.2:6379")), 4);
    get(writers.get(2).putGroup(moved));
    cluster.awaitAll(replicas, "group 11 at epoch 4", t -> moved.equals(t.groups().get(11)));

    get(writers.get(1).removeGroup(11, 5));
    cluster.awaitAll(replicas, "group 11 removed", t -> !t.groups().containsKey(11) && t.epoch() >= 5);
  }

  @Test
  void slotUpdatesReachEveryNodeAndSubscribers() throws Exception {
    TestProbe<Topology> probe = TestProbe.create(cluster.system(2));
    replicas.get(2).tell(new TopologyReplica.Subscribe(probe.getRef()));
    // slots in two different keys
    List<SlotInfo> slots = List.of(SlotInfo.online(100, 12, 6), SlotInfo.online(900, 12, 6));
    get(writers.get(1).putSlots(slots));
    cluster.awaitAll(replicas, "slots 100 and 900",
        t -> t.slot(100).equals(slots.get(0)) && t.slot(900).equals(slots.get(1)));
    probe.fishForMessage(Duration.ofSeconds(10), t -> t.slot(900).equals(slots.get(1))
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore());
    replicas.get(2).tell(new TopologyReplica.Unsubscribe(probe.getRef()));
  }

  @Test
  void eachNodesEntryReachesEveryNode() throws Exception {
    for (int i = 0; i < cluster.size(); i++) {
      String address = Cluster.get(cluster.system(i)).selfMember().address().toString();
      get(writers.get(i).putNode(new NodeInfo(address, "127.0.0.1:" + (19000 + i), "127.0.0.1:" + (11080 + i),
          NodeState.UP, 0)));
    }
    cluster.awaitAll(replicas, "three UP nodes", t -> t.nodes().size() == 3
        && t.nodes().values().stream().allMatch(n -> n.state() == NodeState.UP));
    String address = Cluster.get(cluster.system(1)).selfMember().address().toString();
    NodeInfo fenced = new NodeInfo(address, "127.0.0.1:19001", "127.0.0.1:11081", NodeState.FENCED, 0);
    get(writers.get(1).putNode(fenced));
    cluster.awaitAll(replicas, "node 1 fenced", t -> fenced.equals(t.nodes().get(address)));
  }

  @Test
  void aLowerEpochWrittenLaterDoesNotWin() throws Exception {
    SlotInfo newer = new SlotInfo(300, SlotState.MIGRATING, 12, 13, 20);
    SlotInfo older = SlotInfo.online(300, 12, 15);
    // Both local writes, one right after the other on two nodes: node 1 has most likely not seen node 0's
    // write yet, so its own guard lets it through and only the clock can settle it.
    get(writers.get(0).putSlots(List.of(newer), Replicator.writeLocal()));
    try {
      get(writers.get(1).putSlots(List.of(older), Replicator.writeLocal()));
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StaleEpochException.class);
    }
    cluster.awaitAll(replicas, "slot 300 at epoch 20", t -> newer.equals(t.slot(300)));
    TestCluster.sleep(700); // a few gossip rounds: still the newer one
    cluster.awaitAll(replicas, "slot 300 still at epoch 20",
        t -> newer.equals(t.slot(300)) && t.epoch() >= 20);

    // Once a node holds the newer entry, its writer refuses the older one outright.
    assertThatThrownBy(() -> get(writers.get(2).putSlots(List.of(older))))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(StaleEpochException.class).hasMessageContaining("rekko-slots-4[300]");
  }

  @Test
  void bootstrappedMarkerIsReplicated() throws Exception {
    get(writers.get(2).markBootstrapped(1));
    cluster.awaitAll(replicas, "bootstrapped", Topology::bootstrapped);
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
