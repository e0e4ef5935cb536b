package dev.rekko.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.slots.SlotEntity;
import dev.rekko.slots.GroupMover;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's periodic nudge: every slot mid-migration, and the mover of every group slots leave,
 * is woken, so that an entity whose node crashed runs again even if nothing else would send it a message.
 */
class MigrationNudgeTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void wakesEverySlotMidMigrationAndTheMoversWithTheirControls() {
    TestProbe<ShardingEnvelope<SlotEntity.Command>> slots = testKit.createTestProbe();
    TestProbe<ShardingEnvelope<GroupMover.Command>> movers = testKit.createTestProbe();
    MigrationControl control = new MigrationControl(testKit.system(), slots.ref(), movers.ref(), null, 1024);

    List<SlotInfo> table = new ArrayList<>(Topology.offlineSlots());
    table.set(1, new SlotInfo(1, SlotState.ONLINE, 1, 0, 2));
    table.set(2, new SlotInfo(2, SlotState.PENDING, 1, 2, 3));
    table.set(3, new SlotInfo(3, SlotState.PREPARING, 1, 2, 4));
    table.set(4, new SlotInfo(4, SlotState.BARRIER, 1, 2, 5));
    table.set(5, new SlotInfo(5, SlotState.MIGRATING, 3, 2, 6));
    table.set(6, new SlotInfo(6, SlotState.FINISHED, 3, 2, 7));
    control.nudge(new Topology(8, new TreeMap<>(), List.copyOf(table), new TreeMap<>(), true, true));

    Set<String> woken = new TreeSet<>();
    for (int i = 0; i < 4; i++) {
      ShardingEnvelope<SlotEntity.Command> e = slots.receiveMessage(Duration.ofSeconds(3));
      assertThat(e.message()).isInstanceOf(SlotEntity.Wake.class);
      woken.add(e.entityId());
    }
    assertThat(woken).containsExactly("3", "4", "5", "6");
    slots.expectNoMessage(Duration.ofMillis(200));

    List<String> told = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ShardingEnvelope<GroupMover.Command> e = movers.receiveMessage(Duration.ofSeconds(3));
      told.add(e.entityId() + ":" + e.message().getClass().getSimpleName());
    }
    assertThat(told).containsExactly("1:Wake", "1:SetThrottle", "1:SetPaused", "3:Wake", "3:SetThrottle",
        "3:SetPaused");
  }
}
