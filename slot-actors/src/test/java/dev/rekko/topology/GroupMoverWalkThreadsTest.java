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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source's mover walks on threads of its own: with Pekko's shared blocking dispatcher full of other
 * long work, a slot migrating away from the group is still walked, its keys moved, and its actor told.
 */
class GroupMoverWalkThreadsTest {
  @TempDir
  Path dataRoot;

  @Test
  void aWalkRunsWhilePekkosBlockingDispatcherIsFull() throws Exception {
    int slot = 40;
    String tag = "t0";
    for (int n = 1; SlotHash.slot(tag) != slot; n++) {
      tag = "t" + n;
    }
    CountDownLatch release = new CountDownLatch(1);
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start();
        TestCluster cluster = TestCluster.start(List.of(dataRoot.resolve("n0")), "")) {
      try (LocalRedisClient s = source.client()) {
        for (int i = 0; i < 50; i++) {
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
      writer.putSlots(List.of(new SlotInfo(slot, SlotState.MIGRATING, 1, 2, 3)))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);

      // Every thread of the shared blocking dispatcher busy, and as many tasks again waiting for one.
      Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
      int threads = system.settings().config()
          .getInt("pekko.actor.default-blocking-io-dispatcher.thread-pool-executor.fixed-pool-size");
      for (int i = 0; i < 2 * threads; i++) {
        blocking.execute(() -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }

      BlockingQueue<SlotEntity.Command> told = new LinkedBlockingQueue<>();
      ActorRef<ShardingEnvelope<SlotEntity.Command>> slots = system.systemActorOf(
          Behaviors.<ShardingEnvelope<SlotEntity.Command>>receiveMessage(e -> {
            told.add(e.message());
            return Behaviors.same();
          }), "slots", Props.empty());
      system.systemActorOf(GroupMover.create(1, replica, slots,
          TestCluster.MOVER), "mover-1", Props.empty());

      assertThat(told.poll(60, TimeUnit.SECONDS)).as("the slot's actor is told its source is empty")
          .isEqualTo(new SlotEntity.SourceEmpty(3));
      try (LocalRedisClient t = target.client()) {
        assertThat(t.ok("DBSIZE")).isEqualTo(50L);
      }
    } finally {
      release.countDown();
    }
  }
}
