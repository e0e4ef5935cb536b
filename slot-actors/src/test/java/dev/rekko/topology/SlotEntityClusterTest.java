package dev.rekko.topology;

import dev.rekko.protocol.SlotHash;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.slots.SlotEntity;
import dev.rekko.slots.SlotSharding;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The slot entity on a real three-member cluster: it publishes its route with the epoch clock, refuses
 * what would change an online slot's owner, and after its node leaves it resumes on another node from
 * what it had published.
 */
class SlotEntityClusterTest {
  private static final Duration ASK = Duration.ofSeconds(15);
  private static final int SLOT = 5;

  @TempDir
  Path dataRoot;

  @Test
  void assignPublishesRefusesConflictsAndSurvivesItsNodeLeaving() throws Exception {
    List<Path> dirs = List.of(dataRoot.resolve("a"), dataRoot.resolve("b"), dataRoot.resolve("c"));
    // A folder name ending in "ddata" gets the system name and port appended: one folder per member.
    String sharding = "pekko.cluster.sharding.distributed-data.durable.lmdb.dir = \""
        + dataRoot.resolve("sharding-ddata") + "\"";
    try (TestCluster cluster = TestCluster.start(dirs, sharding)) {
      List<ActorRef<TopologyReplica.Command>> replicas = new ArrayList<>();
      List<ActorRef<ShardingEnvelope<SlotEntity.Command>>> regions = new ArrayList<>();
      for (ActorSystem<Void> s : cluster.systems) {
        replicas.add(s.systemActorOf(TopologyReplica.create(t -> { }, TestCluster.TOPOLOGY), "topology", org.apache.pekko.actor.typed.Props.empty()));
        regions.add(SlotSharding.init(s, new TopologyWriter(s, TestCluster.TOPOLOGY)));
      }

      SlotEntity.Reply first = assign(cluster.system(1), regions.get(1), 1, 10);
      assertThat(first).isEqualTo(new SlotEntity.Done(SlotInfo.online(SLOT, 1, 10)));
      cluster.awaitAll(replicas, "slot 5 at group 1", t -> t.slot(SLOT).equals(SlotInfo.online(SLOT, 1, 10)));

      assertThat(assign(cluster.system(0), regions.get(0), 1, 20))
          .as("idempotent: same group, epoch unchanged").isEqualTo(first);
      assertThat(assign(cluster.system(0), regions.get(0), 2, 30))
          .isInstanceOfSatisfying(SlotEntity.Rejected.class, r -> assertThat(r.reason()).contains("online at group 1"));
      assertThat(assign(cluster.system(2), regions.get(2), 0, 30)).isInstanceOf(SlotEntity.Rejected.class);

      int host = hostOf(cluster, shardOf(SLOT));
      int other = host == 0 ? 1 : 0;
      ActorSystem<Void> leaving = cluster.system(host);
      Cluster.get(leaving).manager().tell(Leave.create(Cluster.get(leaving).selfMember().address()));
      leaving.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);

      SlotInfo resumed = AskPattern.<ShardingEnvelope<SlotEntity.Command>, SlotInfo>ask(regions.get(other),
          replyTo -> SlotSharding.envelope(SLOT, new SlotEntity.GetSlot(replyTo)), ASK,
          cluster.system(other).scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(resumed).isEqualTo(SlotInfo.online(SLOT, 1, 10));
      assertThat(hostOf(cluster, shardOf(SLOT))).isNotEqualTo(host);
      cluster.systems.remove(host);
    }
  }

  private static SlotEntity.Reply assign(ActorSystem<?> system,
      ActorRef<ShardingEnvelope<SlotEntity.Command>> region, int group, long minEpoch) throws Exception {
    return AskPattern.<ShardingEnvelope<SlotEntity.Command>, SlotEntity.Reply>ask(region,
        replyTo -> SlotSharding.envelope(SLOT, new SlotEntity.Assign(group, minEpoch, replyTo)), ASK,
        system.scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static String shardOf(int slot) {
    return Integer.toString(slot * SlotSharding.SHARDS / SlotHash.SLOTS);
  }

  /** Which running member hosts the shard now. */
  static int hostOf(TestCluster cluster, String shard) throws Exception {
    for (int i = 0; i < cluster.size(); i++) {
      ActorSystem<Void> s = cluster.system(i);
      if (s.whenTerminated().isCompleted()) {
        continue;
      }
      ShardRegion.CurrentShardRegionState state = AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery,
          ShardRegion.CurrentShardRegionState>ask(ClusterSharding.get(s).shardState(),
          replyTo -> new GetShardRegionState(SlotEntity.TYPE_KEY, replyTo), ASK, s.scheduler())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      for (ShardRegion.ShardState held : state.getShards()) {
        if (held.shardId().equals(shard)) {
          return i;
        }
      }
    }
    return -1;
  }
}
