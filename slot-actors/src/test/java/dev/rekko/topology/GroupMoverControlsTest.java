package dev.rekko.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.slots.SlotEntity;
import dev.rekko.slots.GroupMover;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mover that starts while the topology says migrations are paused (as one restarted on another node
 * after its node crashed) stays paused without any message from the coordinator, and walks once the
 * topology says they are resumed.
 */
class GroupMoverControlsTest {
  @TempDir
  Path dataRoot;

  @Test
  void aMoverStartedDuringAPauseFollowsThePauseInTheTopology() throws Exception {
    int slot = 41;
    String tag = "t0";
    for (int n = 1; SlotHash.slot(tag) != slot; n++) {
      tag = "t" + n;
    }
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start();
        TestCluster cluster = TestCluster.start(List.of(dataRoot.resolve("n0")), "")) {
      try (LocalRedisClient s = source.client()) {
        for (int i = 0; i < 20; i++) {
          s.ok("SET", "{" + tag + "}:" + i, "v");
        }
      }
      var system = cluster.system(0);
      ActorRef<TopologyReplica.Command> replica =
          system.systemActorOf(TopologyReplica.create(t -> { }, TestCluster.TOPOLOGY), "topology", Props.empty());
      TopologyWriter writer = new TopologyWriter(system, TestCluster.TOPOLOGY);
      writer.putGroup(new GroupInfo(1, List.of(ServerInfo.master(source.address())), false, 1))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      writer.putGroup(new GroupInfo(2, List.of(ServerInfo.master(target.address())), false, 2))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      writer.putMigrationControls(true, 0).toCompletableFuture().get(10, TimeUnit.SECONDS);
      writer.putSlots(List.of(new SlotInfo(slot, SlotState.MIGRATING, 1, 2, 3)))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);

      BlockingQueue<SlotEntity.Command> told = new LinkedBlockingQueue<>();
      ActorRef<ShardingEnvelope<SlotEntity.Command>> slots = system.systemActorOf(
          Behaviors.<ShardingEnvelope<SlotEntity.Command>>receiveMessage(e -> {
            told.add(e.message());
            return Behaviors.same();
          }), "slots", Props.empty());
      system.systemActorOf(GroupMover.create(1, replica, slots,
          TestCluster.MOVER), "mover-1", Props.empty());

      assertThat(told.poll(3, TimeUnit.SECONDS)).as("paused: no walk, nothing reported").isNull();
      try (LocalRedisClient s = source.client()) {
        assertThat(s.ok("DBSIZE")).as("no key moved while paused").isEqualTo(20L);
      }

      writer.putMigrationControls(false, 0).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(told.poll(60, TimeUnit.SECONDS)).as("resumed by the topology alone")
          .isEqualTo(new SlotEntity.SourceEmpty(3));
      try (LocalRedisClient t = target.client()) {
        assertThat(t.ok("DBSIZE")).isEqualTo(20L);
      }
    }
  }
}
