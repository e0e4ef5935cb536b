package dev.rekko.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.slots.Barrier;
import dev.rekko.slots.SlotEntity;
import dev.rekko.slots.SlotSharding;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The slot actor's migration steps on a real three-member cluster, with a barrier agent per member that
 * answers only when the test lets it: pending can be cancelled, a migration waits at its barrier for every
 * member, resumes there after its actor moved to another node, and ends online at the target once the
 * source's mover reports it empty; an entry an older version left at {@code BARRIER} or {@code FINISHED}
 * goes on from there. (The agents here answer on command instead of draining a data path;
 * the data path's side is tested in proxy-node.)
 */
class SlotMigrationStepsTest {
  private static final Duration ASK = Duration.ofSeconds(15);

  @TempDir
  Path dataRoot;

  @Test
  void aMigrationWalksItsStepsAndResumesAtItsBarrierElsewhere() throws Exception {
    List<Path> dirs = List.of(dataRoot.resolve("a"), dataRoot.resolve("b"), dataRoot.resolve("c"));
    String sharding = "pekko.cluster.sharding.distributed-data.durable.lmdb.dir = \""
        + dataRoot.resolve("sharding-ddata") + "\"";
    AtomicBoolean agentsAnswer = new AtomicBoolean(false);
    int slot = 7;
    Set<SlotState> seen = ConcurrentHashMap.newKeySet();
    int startedAtOnce = 13;
    Set<SlotState> seenStartedAtOnce = ConcurrentHashMap.newKeySet();
    try (TestCluster cluster = TestCluster.start(dirs, sharding)) {
      List<ActorRef<TopologyReplica.Command>> replicas = new ArrayList<>();
      List<ActorRef<ShardingEnvelope<SlotEntity.Command>>> regions = new ArrayList<>();
      for (ActorSystem<Void> s : cluster.systems) {
        Consumer<Topology> everyState = t -> {
          seen.add(t.slot(slot).state());
          seenStartedAtOnce.add(t.slot(startedAtOnce).state());
        };
        replicas.add(s.systemActorOf(TopologyReplica.create(everyState, TestCluster.TOPOLOGY), "topology", Props.empty()));
        regions.add(SlotSharding.init(s, new TopologyWriter(s, TestCluster.TOPOLOGY)));
        s.systemActorOf(agent(agentsAnswer), "agent", Props.empty());
      }
      assertThat(ask(cluster, 0, regions, slot, r -> new SlotEntity.Assign(1, 1, r))).isInstanceOf(SlotEntity.Done.class);

      // Pending, and cancelled: back online at the source.
      assertThat(ask(cluster, 1, regions, slot, r -> new SlotEntity.Migrate(2, 0, false, r)))
          .isInstanceOfSatisfying(SlotEntity.Done.class, d -> assertThat(d.slot().state()).isEqualTo(SlotState.PENDING));
      assertThat(ask(cluster, 1, regions, slot, r -> new SlotEntity.Migrate(3, 0, false, r)))
          .as("a pending slot does not change its target").isInstanceOf(SlotEntity.Rejected.class);
      assertThat(ask(cluster, 2, regions, slot, SlotEntity.CancelMigration::new))
          .isInstanceOfSatisfying(SlotEntity.Done.class, d -> assertThat(d.slot()).extracting(SlotInfo::state,
              SlotInfo::group).containsExactly(SlotState.ONLINE, 1));

      // Started: it reaches the barrier and waits there while the agents do not answer.
      ask(cluster, 0, regions, slot, r -> new SlotEntity.Migrate(2, 0, false, r));
      assertThat(ask(cluster, 0, regions, slot, SlotEntity.StartMigration::new)).isInstanceOf(SlotEntity.Done.class);
      cluster.awaitAll(replicas, "slot held for its barrier", t -> t.slot(slot).state() == SlotState.PREPARING);
      assertThat(ask(cluster, 0, regions, slot, SlotEntity.CancelMigration::new))
          .isInstanceOfSatisfying(SlotEntity.Rejected.class, r -> assertThat(r.reason()).contains("cannot be rolled back"));

      // Its node leaves; the actor starts again elsewhere, at its barrier, and goes on once the agents answer.
      int host = SlotEntityClusterTest.hostOf(cluster, SlotEntityClusterTest.shardOf(slot));
      ActorSystem<Void> leaving = cluster.system(host);
      Cluster.get(leaving).manager().tell(Leave.create(Cluster.get(leaving).selfMember().address()));
      leaving.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      cluster.systems.remove(host);
      replicas.remove(host);
      regions.remove(host);
      SlotInfo resumed = AskPattern.<ShardingEnvelope<SlotEntity.Command>, SlotInfo>ask(regions.get(0),
          replyTo -> SlotSharding.envelope(slot, new SlotEntity.GetSlot(replyTo)), ASK,
          cluster.system(0).scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(resumed.state()).as("the restarted actor resumes at its barrier").isEqualTo(SlotState.PREPARING);
      TestCluster.sleep(500);
      assertThat(TestCluster.topologyOf(cluster.system(0), replicas.get(0)).slot(slot).state())
          .as("still waiting at the barrier").isEqualTo(SlotState.PREPARING);
      agentsAnswer.set(true);
      cluster.awaitAll(replicas, "slot migrating", t -> t.slot(slot).state() == SlotState.MIGRATING);

      // The mover's report ends it: finished, then online at the target.
      long epoch = TestCluster.topologyOf(cluster.system(0), replicas.get(0)).slot(slot).epoch();
      regions.get(0).tell(SlotSharding.envelope(slot, new SlotEntity.SourceEmpty(epoch - 1)));
      TestCluster.sleep(300);
      assertThat(TestCluster.topologyOf(cluster.system(0), replicas.get(0)).slot(slot).state())
          .as("a report for another epoch is ignored").isEqualTo(SlotState.MIGRATING);
      regions.get(1).tell(SlotSharding.envelope(slot, new SlotEntity.SourceEmpty(epoch)));
      cluster.awaitAll(replicas, "slot online at group 2", t -> t.slot(slot).state() == SlotState.ONLINE
          && t.slot(slot).group() == 2 && t.slot(slot).target() == 0);
      assertThat(seen).as("the steps that only named a phase are not published")
          .contains(SlotState.PENDING, SlotState.PREPARING, SlotState.MIGRATING, SlotState.ONLINE)
          .doesNotContain(SlotState.BARRIER, SlotState.FINISHED);

      // Entries an older version left at BARRIER or FINISHED go on from there.
      TopologyWriter writer = new TopologyWriter(cluster.system(0), TestCluster.TOPOLOGY);
      writer.putSlots(List.of(new SlotInfo(9, SlotState.BARRIER, 1, 2, 5), new SlotInfo(11, SlotState.FINISHED, 1, 2, 5)))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      ask(cluster, 0, regions, 9, SlotEntity.StartMigration::new);
      ask(cluster, 0, regions, 11, SlotEntity.StartMigration::new);
      cluster.awaitAll(replicas, "slot 11 online at group 2", t -> t.slot(11).state() == SlotState.ONLINE
          && t.slot(11).group() == 2);
      cluster.awaitAll(replicas, "slot 9 past its barrier", t -> t.slot(9).state() == SlotState.MIGRATING);
      regions.get(0).tell(SlotSharding.envelope(9, new SlotEntity.SourceEmpty(6)));
      cluster.awaitAll(replicas, "slot 9 online at group 2", t -> t.slot(9).state() == SlotState.ONLINE
          && t.slot(9).group() == 2);

      // Asked to start at once (the scheduler had room): straight to PREPARING, never PENDING.
      assertThat(ask(cluster, 0, regions, startedAtOnce, r -> new SlotEntity.Assign(1, 1, r)))
          .isInstanceOf(SlotEntity.Done.class);
      assertThat(ask(cluster, 1, regions, startedAtOnce, r -> new SlotEntity.Migrate(2, 0, true, r)))
          .isInstanceOfSatisfying(SlotEntity.Done.class, d -> assertThat(d.slot().state()).isEqualTo(SlotState.PREPARING));
      assertThat(ask(cluster, 1, regions, startedAtOnce, r -> new SlotEntity.Migrate(2, 0, true, r)))
          .as("asked again: answered with its state").isInstanceOfSatisfying(SlotEntity.Done.class,
              d -> assertThat(d.slot().state()).isIn(SlotState.PREPARING, SlotState.MIGRATING));
      cluster.awaitAll(replicas, "started slot past its barrier", t -> t.slot(startedAtOnce).state() == SlotState.MIGRATING);
      long startedEpoch = TestCluster.topologyOf(cluster.system(0), replicas.get(0)).slot(startedAtOnce).epoch();
      regions.get(0).tell(SlotSharding.envelope(startedAtOnce, new SlotEntity.SourceEmpty(startedEpoch)));
      cluster.awaitAll(replicas, "started slot online at group 2", t -> t.slot(startedAtOnce).state() == SlotState.ONLINE
          && t.slot(startedAtOnce).group() == 2);
      assertThat(seenStartedAtOnce).doesNotContain(SlotState.PENDING);
    }
  }

  /** A barrier agent that answers every request once {@code answer} is set (asked again every second). */
  private static org.apache.pekko.actor.typed.Behavior<Barrier.Request> agent(AtomicBoolean answer) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(Barrier.KEY, ctx.getSelf()));
      String self = Cluster.get(ctx.getSystem()).selfMember().address().toString();
      return Behaviors.receiveMessage(r -> {
        if (answer.get()) {
          r.replyTo().tell(new Barrier.Drained(self, r.slot(), r.epoch()));
        }
        return Behaviors.same();
      });
    });
  }

  private static SlotEntity.Reply ask(TestCluster cluster, int node,
      List<ActorRef<ShardingEnvelope<SlotEntity.Command>>> regions, int slot,
      java.util.function.Function<ActorRef<SlotEntity.Reply>, SlotEntity.Command> command) throws Exception {
    ActorSystem<Void> s = cluster.system(node);
    return AskPattern.<ShardingEnvelope<SlotEntity.Command>, SlotEntity.Reply>ask(regions.get(node),
        replyTo -> SlotSharding.envelope(slot, command.apply(replyTo)), ASK, s.scheduler())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
