package dev.rekko.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.coordinator.Coordinator.Failed;
import dev.rekko.slots.SlotEntity;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The checks and summaries behind the operations, without actors (the cluster test runs them for real). */
class AdminRulesTest {
  private static final ServerInfo M1 = ServerInfo.master("10.0.0.1:6379");
  private static final ServerInfo R1 = ServerInfo.replica("10.0.0.2:6379");
  private static final ServerInfo M2 = ServerInfo.master("10.0.0.3:6379");

  /** Group 1 (master + replica) owns 0-9, 20 migrates 1 -> 2, group 2 (master only) owns 100, group 3 is empty. */
  private static Topology topology() {
    TreeMap<Integer, GroupInfo> groups = new TreeMap<>();
    groups.put(1, new GroupInfo(1, List.of(M1, R1), false, 1));
    groups.put(2, new GroupInfo(2, List.of(M2), false, 1));
    groups.put(3, new GroupInfo(3, List.of(), false, 1));
    List<SlotInfo> slots = new ArrayList<>(Topology.offlineSlots());
    for (int s = 0; s < 10; s++) {
      slots.set(s, SlotInfo.online(s, 1, 2));
    }
    slots.set(20, new SlotInfo(20, SlotState.MIGRATING, 1, 2, 3));
    slots.set(100, SlotInfo.online(100, 2, 2));
    return new Topology(0, groups, slots, new TreeMap<>(), true, true);
  }

  @Test
  void groups() {
    Topology t = topology();
    assertThat(AdminRules.createGroup(t, -1)).hasValueSatisfying(status(400, "positive"));
    assertThat(AdminRules.createGroup(t, 1)).hasValueSatisfying(status(409, "group 1 already exists"));
    assertThat(AdminRules.createGroup(t, 4)).isEmpty();
    assertThat(AdminRules.removeGroup(t, 9)).hasValueSatisfying(status(404, "no group 9"));
    assertThat(AdminRules.removeGroup(t, 1)).hasValueSatisfying(status(409, "slots 0-9, 20"));
    // A migration's target is held too, though it owns nothing yet.
    assertThat(AdminRules.removeGroup(t, 2)).hasValueSatisfying(status(409, "slots 20, 100"));
    assertThat(AdminRules.removeGroup(t, 3)).isEmpty();
  }

  @Test
  void servers() {
    Topology t = topology();
    assertThat(AdminRules.addServer(t, 3, null)).hasValueSatisfying(status(400, "missing"));
    assertThat(AdminRules.addServer(t, 3, "10.0.0.9")).hasValueSatisfying(status(400, "host:port"));
    assertThat(AdminRules.addServer(t, 3, "10.0.0.9: 1")).hasValueSatisfying(status(400, "host:port"));
    assertThat(AdminRules.addServer(t, 3, "10.0.0.9:0")).hasValueSatisfying(status(400, "port out of range"));
    assertThat(AdminRules.addServer(t, 9, "10.0.0.9:1")).hasValueSatisfying(status(404, "no group 9"));
    assertThat(AdminRules.addServer(t, 3, R1.addr())).hasValueSatisfying(status(409, "already in group 1"));
    assertThat(AdminRules.addServer(t, 3, "10.0.0.9:1")).isEmpty();

    assertThat(AdminRules.removeServer(t, 1, "10.0.0.9:1")).hasValueSatisfying(status(404, "no server"));
    assertThat(AdminRules.removeServer(t, 1, M1.addr())).hasValueSatisfying(status(409, "still has replicas"));
    assertThat(AdminRules.removeServer(t, 2, M2.addr())).hasValueSatisfying(status(409, "slots 20, 100"));
    assertThat(AdminRules.removeServer(t, 1, R1.addr())).isEmpty();

    assertThat(AdminRules.promote(t, 1, M1.addr())).hasValueSatisfying(status(409, "already the master"));
    assertThat(AdminRules.promote(t, 1, "10.0.0.9:1")).hasValueSatisfying(status(404, "no server"));
    // Group 1 migrates slot 20: its master is not switched meanwhile.
    assertThat(AdminRules.promote(t, 1, R1.addr())).hasValueSatisfying(status(409, "slot migrations (slots 20"));
    List<SlotInfo> settled = new ArrayList<>(t.slots());
    settled.set(20, SlotInfo.online(20, 1, 4));
    Topology quiet = new Topology(0, t.groups(), settled, new TreeMap<>(), true, true);
    assertThat(AdminRules.promote(quiet, 1, R1.addr())).isEmpty();
  }

  @Test
  void aSwitchingGroupTakesNoServerChangeAndHaWritesNeedTheEpochTheyCameFrom() {
    Topology t = topology();
    TreeMap<Integer, GroupInfo> groups = new TreeMap<>(t.groups());
    groups.put(1, groups.get(1).withSwitching(true, 5));
    Topology switching = new Topology(0, groups, t.slots(), new TreeMap<>(), true, true);
    assertThat(AdminRules.addServer(switching, 1, "10.0.0.9:1")).hasValueSatisfying(status(409, "being switched"));
    assertThat(AdminRules.removeServer(switching, 1, R1.addr())).hasValueSatisfying(status(409, "being switched"));
    assertThat(AdminRules.promote(switching, 1, R1.addr())).hasValueSatisfying(status(409, "being switched"));
    assertThat(AdminRules.groupAt(switching, 1, 5)).isEmpty();
    assertThat(AdminRules.groupAt(switching, 1, 4)).hasValueSatisfying(status(409, "changed meanwhile"));
    assertThat(AdminRules.groupAt(switching, 9, 4)).hasValueSatisfying(status(404, "no group 9"));
  }

  @Test
  void aGroupWithReplicasButNoMasterTakesNoNewServer() {
    Topology t = topology();
    TreeMap<Integer, GroupInfo> groups = new TreeMap<>(t.groups());
    groups.put(4, new GroupInfo(4, List.of(ServerInfo.replica("10.0.0.4:6379")), false, 1));
    Topology headless = new Topology(0, groups, t.slots(), new TreeMap<>(), true, true);
    assertThat(AdminRules.addServer(headless, 4, "10.0.0.9:1")).hasValueSatisfying(status(409, "no master"));
  }

  @Test
  void slotAssignments() {
    Topology t = topology();
    assertThat(AdminRules.assignSlots(t, 3, 2, 1)).hasValueSatisfying(status(400, "got 3..2"));
    assertThat(AdminRules.assignSlots(t, 0, 1024, 1)).hasValueSatisfying(status(400, "got 0..1024"));
    assertThat(AdminRules.assignSlots(t, 0, 1, 9)).hasValueSatisfying(status(404, "no group 9"));
    assertThat(AdminRules.assignSlots(t, 10, 11, 3)).hasValueSatisfying(status(409, "group 3 has no master"));
    assertThat(AdminRules.assignSlots(t, 5, 1023, 2)).hasValueSatisfying(status(409,
        "not: 5-9 (online at group 1), 20 (migrating from group 1 to group 2). Nothing was changed"));
    assertThat(AdminRules.assignSlots(t, 0, 19, 1)).isEmpty();
    assertThat(AdminRules.assignSlots(t, 100, 200, 2)).isEmpty();
  }

  @Test
  void slotAnswersAreSummedUp() {
    var request = new SlotAsks.Request("assigning slots 0-3 to group 2", "were assigned to group 2",
        List.of(0, 1, 2, 3), null);
    SlotAsks.Outcome all = SlotAsks.outcome(request, List.of(done(0, 7), done(1, 7), done(2, 7), done(3, 9)));
    assertThat(all.result()).isInstanceOf(Coordinator.SlotsChanged.class);
    assertThat(all.maxEpoch()).isEqualTo(9);

    SlotAsks.Outcome some = SlotAsks.outcome(request, List.of(done(0, 7), done(1, 7),
        new SlotEntity.Rejected(2, "slot 2 is online at group 1"), new SlotEntity.Rejected(3, "slot 3: no answer")));
    assertThat(some.result()).isInstanceOfSatisfying(Failed.class, f -> {
      assertThat(f.status()).isEqualTo(409);
      assertThat(f.message()).contains("2 of 4 were assigned to group 2 and stay so (0-1)")
          .contains("slot 2 is online at group 1; slot 3: no answer");
    });
    Topology t = topology();
    assertThat(some.visible().test(t)).isFalse();
    List<SlotInfo> slots = new ArrayList<>(t.slots());
    slots.set(0, SlotInfo.online(0, 2, 7));
    slots.set(1, SlotInfo.online(1, 2, 8));
    assertThat(some.visible().test(new Topology(0, t.groups(), slots, new TreeMap<>(), true, true))).isTrue();
  }

  @Test
  void slotRanges() {
    assertThat(SlotRanges.format(List.of())).isEmpty();
    assertThat(SlotRanges.format(List.of(7))).isEqualTo("7");
    assertThat(SlotRanges.format(List.of(5, 1, 2, 3, 9, 10))).isEqualTo("1-3, 5, 9-10");
  }

  private static SlotEntity.Done done(int slot, long epoch) {
    return new SlotEntity.Done(SlotInfo.online(slot, 2, epoch));
  }

  private static java.util.function.Consumer<Failed> status(int status, String message) {
    return f -> {
      assertThat(f.status()).as(f.message()).isEqualTo(status);
      assertThat(f.message()).contains(message);
    };
  }
}
