package dev.rekko.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.slots.SlotEntity;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.DispatcherSelector;
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
    String tag = GroupMoverRig.tagOf(slot);
    CountDownLatch release = new CountDownLatch(1);
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start();
        TestCluster cluster = TestCluster.start(List.of(dataRoot.resolve("n0")), "")) {
      GroupMoverRig.fill(source, tag, 50);
      GroupMoverRig rig = new GroupMoverRig(cluster, source, target);
      var system = rig.system;
      TopologyWriter writer = rig.writer;
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

      rig.startMover();

      assertThat(rig.told.poll(60, TimeUnit.SECONDS)).as("the slot's actor is told its source is empty")
          .isEqualTo(new SlotEntity.SourceEmpty(3));
      try (LocalRedisClient t = target.client()) {
        assertThat(t.ok("DBSIZE")).isEqualTo(50L);
      }
    } finally {
      release.countDown();
    }
  }
}
