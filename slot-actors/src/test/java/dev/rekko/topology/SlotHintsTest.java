package dev.rekko.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slot writes a majority confirmed reach every node's replica directly, ahead of Distributed Data: with
 * gossip and delta propagation an hour apart, a majority write reaches one of the two other nodes only,
 * and the third sees it through the hint alone. A hint never hides a newer entry.
 */
class SlotHintsTest {
  @TempDir
  Path dataRoot;

  @Test
  void aHintIsLaidOverOlderEntriesOnlyAndForgottenOnceDistributedDataHasItsEpoch() {
    SlotHints hints = new SlotHints();
    assertThat(hints.add(List.of(new SlotInfo(5, SlotState.BARRIER, 1, 2, 7)))).isTrue();
    assertThat(hints.add(List.of(new SlotInfo(5, SlotState.PREPARING, 1, 2, 6)))).as("older than held").isFalse();

    List<SlotInfo> slots = Topology.offlineSlots();
    slots.set(5, new SlotInfo(5, SlotState.PREPARING, 1, 2, 6));
    hints.overlay(slots);
    assertThat(slots.get(5)).isEqualTo(new SlotInfo(5, SlotState.BARRIER, 1, 2, 7));
    assertThat(hints.size()).isEqualTo(1);

    List<SlotInfo> caughtUp = Topology.offlineSlots();
    caughtUp.set(5, new SlotInfo(5, SlotState.MIGRATING, 1, 2, 8));
    hints.overlay(caughtUp);
    assertThat(caughtUp.get(5)).as("Distributed Data's newer entry wins").isEqualTo(new SlotInfo(5, SlotState.MIGRATING, 1, 2, 8));
    assertThat(hints.size()).isZero();
  }

  @Test
  void aConfirmedSlotWriteReachesEveryReplicaWithoutGossip() throws Exception {
    try (TestCluster cluster = TestCluster.start(
        List.of(dataRoot.resolve("n0"), dataRoot.resolve("n1"), dataRoot.resolve("n2")), """
            pekko.actor.serialize-messages = on
            pekko.cluster.distributed-data.gossip-interval = 1h
            pekko.cluster.typed.receptionist.distributed-data.gossip-interval = 200ms
            """)) {
      List<ActorRef<TopologyReplica.Command>> replicas = new ArrayList<>();
      for (int i = 0; i < cluster.size(); i++) {
        replicas.add(cluster.system(i).systemActorOf(TopologyReplica.create(t -> { }, TestCluster.TOPOLOGY),
            "topology", Props.empty()));
      }
      cluster.awaitAll(replicas, "loaded", Topology::loaded);
      // A replica sends hints to the replicas the Receptionist lists: all three, everywhere, first.
      TestCluster.await("every node lists three replicas", () -> {
        for (int i = 0; i < cluster.size(); i++) {
          var system = cluster.system(i);
          Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(
                  system.receptionist(), r -> Receptionist.find(TopologyReplica.PEERS, r), Duration.ofSeconds(5),
                  system.scheduler()).toCompletableFuture().join();
          if (listing.getServiceInstances(TopologyReplica.PEERS).size() != 3) {
            return false;
          }
        }
        return true;
      });
      TopologyWriter writer = new TopologyWriter(cluster.system(0), TestCluster.TOPOLOGY);
      for (long epoch = 1; epoch <= 3; epoch++) {
        SlotInfo slot = new SlotInfo(9, SlotState.ONLINE, (int) epoch, 0, epoch);
        writer.putSlot(slot, epoch - 1).toCompletableFuture().get(10, TimeUnit.SECONDS);
        cluster.awaitAll(replicas, "slot 9 at epoch " + epoch, t -> t.slot(9).equals(slot));
      }
    }
  }
}
