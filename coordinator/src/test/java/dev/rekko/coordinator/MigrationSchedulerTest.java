package dev.rekko.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Which pending slots start, from the topology alone. */
class MigrationSchedulerTest {
  private final List<SlotInfo> slots = new ArrayList<>(Topology.offlineSlots());
  private long epoch = 1;

  private void put(int slot, SlotState state, int group, int target) {
    slots.set(slot, new SlotInfo(slot, state, group, target, epoch++));
  }

  private Topology topology() {
    return new Topology(epoch, new TreeMap<>(), List.copyOf(slots), new TreeMap<>(), true, true);
  }

  @Test
  void aSourceGroupStartsOneLeadSlotThenTheRestOncePastTheBarrier() {
    for (int s = 0; s < 10; s++) {
      put(s, SlotState.PENDING, 1, 2);
    }
    for (int s = 10; s < 14; s++) {
      put(s, SlotState.PENDING, 3, 2);
    }
    MigrationScheduler scheduler = new MigrationScheduler(1024);

    assertThat(scheduler.onTopology(topology(), 0)).as("one lead per source group").containsExactly(0, 10);
    assertThat(scheduler.onTopology(topology(), 1)).as("nothing new until a lead is past its barrier").isEmpty();

    put(0, SlotState.PREPARING, 1, 2);
    put(10, SlotState.BARRIER, 3, 2);
    assertThat(scheduler.onTopology(topology(), 2)).isEmpty();

    put(0, SlotState.MIGRATING, 1, 2);
    assertThat(scheduler.onTopology(topology(), 3)).as("group 1 is open, group 3 still waits")
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);

    put(10, SlotState.FINISHED, 3, 2);
    assertThat(scheduler.onTopology(topology(), 4)).containsExactly(11, 12, 13);
  }

  @Test
  void atMostMaxParallelSlotsRunAndTheNextStartsWhenOneEnds() {
    for (int s = 0; s < 6; s++) {
      put(s, SlotState.PENDING, 1, 2);
    }
    MigrationScheduler scheduler = new MigrationScheduler(3);
    assertThat(scheduler.onTopology(topology(), 0)).containsExactly(0);
    put(0, SlotState.MIGRATING, 1, 2);
    assertThat(scheduler.onTopology(topology(), 1)).containsExactly(1, 2);
    assertThat(scheduler.onTopology(topology(), 2)).isEmpty();

    put(0, SlotState.ONLINE, 2, 0);
    put(1, SlotState.MIGRATING, 1, 2);
    assertThat(scheduler.onTopology(topology(), 3)).containsExactly(3);
    assertThat(scheduler.done()).isEqualTo(1);
  }

  @Test
  void aStartThatDoesNotShowIsSentAgainAndNothingStartsWhilePaused() {
    put(5, SlotState.PENDING, 1, 2);
    MigrationScheduler scheduler = new MigrationScheduler(1024);
    scheduler.paused(true);
    assertThat(scheduler.onTopology(topology(), 0)).isEmpty();
    scheduler.paused(false);
    assertThat(scheduler.onTopology(topology(), 0)).containsExactly(5);
    assertThat(scheduler.onTopology(topology(), MigrationScheduler.RESEND_NANOS)).isEmpty();
    assertThat(scheduler.onTopology(topology(), MigrationScheduler.RESEND_NANOS + 1)).containsExactly(5);
  }

  @Test
  void aNewMigrationStartsAtOnceWhileThereIsRoomAndTheRestGoPending() {
    for (int s = 0; s < 5; s++) {
      put(s, SlotState.ONLINE, 1, 0);
    }
    put(5, SlotState.PENDING, 1, 2);
    put(6, SlotState.ONLINE, 2, 0);
    MigrationScheduler scheduler = new MigrationScheduler(3);
    Map<Integer, Integer> moves = new TreeMap<>(Map.of(0, 2, 1, 2, 2, 2, 3, 2, 4, 2, 5, 2, 6, 2));

    assertThat(scheduler.admit(moves, topology(), 100, 0))
        .as("the lowest slots online elsewhere, up to max-parallel; not one already pending or at its target")
        .containsExactly(0, 1, 2);
    assertThat(scheduler.onTopology(topology(), 1)).as("admitted slots take the room, shown or not").isEmpty();

    put(0, SlotState.PREPARING, 1, 2);
    put(1, SlotState.PREPARING, 1, 2);
    put(2, SlotState.MIGRATING, 1, 2);
    assertThat(scheduler.onTopology(topology(), 2)).isEmpty();
    put(0, SlotState.MIGRATING, 1, 2);
    put(2, SlotState.ONLINE, 2, 0);
    assertThat(scheduler.onTopology(topology(), 3)).as("a pending slot starts when one ends").containsExactly(5);
  }

  @Test
  void anAdmittedSlotThatNeverShowsGivesItsRoomBackAndNothingIsAdmittedWhilePaused() {
    put(0, SlotState.ONLINE, 1, 0);
    put(1, SlotState.PENDING, 3, 2);
    MigrationScheduler scheduler = new MigrationScheduler(1);
    scheduler.paused(true);
    assertThat(scheduler.onTopology(topology(), 0)).isEmpty();
    assertThat(scheduler.admit(Map.of(0, 2), topology(), 100, 0)).as("paused").isEmpty();

    scheduler.paused(false);
    assertThat(scheduler.admit(Map.of(0, 2), topology(), 100, 0)).containsExactly(0);
    assertThat(scheduler.onTopology(topology(), MigrationScheduler.RESEND_NANOS)).isEmpty();
    assertThat(scheduler.onTopology(topology(), MigrationScheduler.RESEND_NANOS + 1))
        .as("the ask was refused or lost: its room goes to the pending slot").containsExactly(1);
  }
}
