package dev.rekko.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.slots.SlotEntity;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    String tag = GroupMoverRig.tagOf(slot);
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start();
        TestCluster cluster = TestCluster.start(List.of(dataRoot.resolve("n0")), "")) {
      GroupMoverRig.fill(source, tag, 20);
      GroupMoverRig rig = new GroupMoverRig(cluster, source, target);
      TopologyWriter writer = rig.writer;
      writer.putMigrationControls(true, 0).toCompletableFuture().get(10, TimeUnit.SECONDS);
      writer.putSlots(List.of(new SlotInfo(slot, SlotState.MIGRATING, 1, 2, 3)))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);

      rig.startMover();

      assertThat(rig.told.poll(3, TimeUnit.SECONDS)).as("paused: no walk, nothing reported").isNull();
      try (LocalRedisClient s = source.client()) {
        assertThat(s.ok("DBSIZE")).as("no key moved while paused").isEqualTo(20L);
      }

      writer.putMigrationControls(false, 0).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(rig.told.poll(60, TimeUnit.SECONDS)).as("resumed by the topology alone")
          .isEqualTo(new SlotEntity.SourceEmpty(3));
      try (LocalRedisClient t = target.client()) {
        assertThat(t.ok("DBSIZE")).isEqualTo(20L);
      }
    }
  }
}
