package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The routing table of a topology in which a group switches its master: every slot whose commands may
 * touch that group is held, naming the group; the others are not; the next topology releases them to the
 * group's new master. Groups 1 and 2 have one master each.
 */
class RoutingTableTest {
  private static final int SLOT = 9;

  @ParameterizedTest(name = "{0} {1}->{2}, group {3} switching: held {4}, for the switch of group {5}")
  @CsvSource({
      "ONLINE,    1, 0, 1, true,  1",
      "ONLINE,    1, 0, 2, false, 0",
      "PENDING,   1, 2, 1, true,  1",
      "PENDING,   1, 2, 2, false, 0",
      "PREPARING, 1, 2, 2, true,  2",
      "BARRIER,   1, 2, 1, true,  1",
      "MIGRATING, 1, 2, 1, true,  1",
      "MIGRATING, 1, 2, 2, true,  2",
      "FINISHED,  1, 2, 1, false, 0",
      "FINISHED,  1, 2, 2, true,  2",
      "OFFLINE,   0, 0, 1, false, 0",
  })
  void aSwitchingGroupHoldsTheSlotsThatInvolveIt(SlotState state, int group, int target, int switching,
      boolean held, int heldFor) {
    SlotRoute route = table(new SlotInfo(SLOT, state, group, target, 5), switching, 1).route(SLOT);
    assertThat(route.hold()).isEqualTo(held);
    assertThat(route.switchingGroup()).isEqualTo(heldFor);
    if (heldFor != 0) {
      assertThat(RouteDecision.of(route, false)).isEqualTo(RouteDecision.HOLD);
    }
  }

  @Test
  void aSwitchingGroupWithoutAMasterIsHeldNotOffline() {
    TreeMap<Integer, GroupInfo> groups = new TreeMap<>();
    groups.put(1, new GroupInfo(1, List.of(ServerInfo.replica("127.0.0.1:7011")), false, 8, true, null));
    SlotRoute route = table(SlotInfo.online(SLOT, 1, 5), groups).route(SLOT);
    assertThat(route.online()).isFalse();
    assertThat(RouteDecision.of(route, false)).isEqualTo(RouteDecision.HOLD);
    assertThat(RouteDecision.of(route, true)).isEqualTo(RouteDecision.QUEUED);
  }

  @Test
  void aSlotOfAGroupThisNodeDoesNotKnowIsHeldForIt() {
    SlotRoute route = table(SlotInfo.online(SLOT, 3, 5), 0, 1).route(SLOT);
    assertThat(route.online()).isFalse();
    assertThat(route.switchingGroup()).isEqualTo(3);
    assertThat(RouteDecision.of(route, false)).isEqualTo(RouteDecision.HOLD);
    SlotRoute migrating = table(new SlotInfo(SLOT, SlotState.MIGRATING, 1, 3, 5), 0, 1).route(SLOT);
    assertThat(migrating.switchingGroup()).as("the target unknown").isEqualTo(3);
    assertThat(table(SlotInfo.offline(SLOT), 0, 1).route(SLOT).hold()).isFalse();
    // Known, but only as created: its first server has not arrived either.
    TreeMap<Integer, GroupInfo> created = new TreeMap<>();
    created.put(3, new GroupInfo(3, List.of(), false, 2));
    SlotRoute beforeItsServer = table(SlotInfo.online(SLOT, 3, 5), created).route(SLOT);
    assertThat(beforeItsServer.switchingGroup()).isEqualTo(3);
    assertThat(RouteDecision.of(beforeItsServer, false)).isEqualTo(RouteDecision.HOLD);
  }

  @Test
  void theNextTopologyReleasesTheSlotsToTheNewMaster() {
    TreeMap<Integer, GroupInfo> groups = new TreeMap<>();
    groups.put(1, new GroupInfo(1, List.of(ServerInfo.master("127.0.0.1:7001"), ServerInfo.replica("127.0.0.1:7011")),
        false, 7, true, null));
    RoutingTable during = table(SlotInfo.online(SLOT, 1, 5), groups);
    assertThat(during.route(SLOT).hold()).isTrue();
    assertThat(during.groupEpoch(1)).isEqualTo(7);

    groups.put(1, new GroupInfo(1, List.of(ServerInfo.master("127.0.0.1:7011"), ServerInfo.replica("127.0.0.1:7001")),
        false, 8));
    RoutingTable after = table(SlotInfo.online(SLOT, 1, 5), groups);
    SlotRoute route = after.route(SLOT);
    assertThat(route.direct()).isTrue();
    assertThat(route.switching()).isFalse();
    assertThat(route.master()).hasToString("127.0.0.1:7011");
    assertThat(RouteDecision.of(route, false)).isEqualTo(RouteDecision.DIRECT);
    assertThat(after.groupEpoch(1)).isEqualTo(8);
    assertThat(after.groupEpoch(4)).as("unknown group").isEqualTo(-1);
  }

  /** Groups 1 and 2 at epoch {@code groupEpoch}, {@code switching} (1, 2, or 0 for none) switching. */
  private static RoutingTable table(SlotInfo slot, int switching, long groupEpoch) {
    TreeMap<Integer, GroupInfo> groups = new TreeMap<>();
    for (int g = 1; g <= 2; g++) {
      groups.put(g, new GroupInfo(g, List.of(ServerInfo.master("127.0.0.1:700" + g)), false, groupEpoch,
          g == switching, null));
    }
    return table(slot, groups);
  }

  private static RoutingTable table(SlotInfo slot, TreeMap<Integer, GroupInfo> groups) {
    List<SlotInfo> slots = new ArrayList<>(Topology.offlineSlots());
    slots.set(slot.id(), slot);
    return RoutingTable.fromTopology(new Topology(5, groups, slots, new TreeMap<>(), true, true));
  }

  @Test
  void aGroupWithReplicaReadsNamesItsReplicasThisNodesDatacenterFirstOnlyForOnlineSlots() {
    TreeMap<Integer, GroupInfo> groups = new TreeMap<>();
    groups.put(1, new GroupInfo(1, List.of(ServerInfo.master("127.0.0.1:7001"),
        new ServerInfo("127.0.0.1:7011", dev.rekko.topology.ServerRole.REPLICA, "dc-a", ""),
        new ServerInfo("127.0.0.1:7012", dev.rekko.topology.ServerRole.REPLICA, "dc-b", "")), true, 3));
    groups.put(2, new GroupInfo(2, List.of(ServerInfo.master("127.0.0.1:7002"), ServerInfo.replica("127.0.0.1:7022")),
        false, 3));
    List<SlotInfo> slots = new ArrayList<>(Topology.offlineSlots());
    slots.set(1, SlotInfo.online(1, 1, 2));
    slots.set(2, new SlotInfo(2, SlotState.PENDING, 1, 2, 2));
    slots.set(3, SlotInfo.online(3, 2, 2));
    slots.set(4, new SlotInfo(4, SlotState.FINISHED, 2, 1, 2));
    RoutingTable t = RoutingTable.fromTopology(new Topology(5, groups, slots, new TreeMap<>(), true, true), "dc-b");

    ReadReplicas online = t.route(1).replicas();
    assertThat(online.all()).extracting(Object::toString).containsExactly("127.0.0.1:7012", "127.0.0.1:7011");
    assertThat(online.localCount()).isEqualTo(1);
    assertThat(t.route(2).replicas()).as("in a migration: the master only, writes still noted")
        .isSameAs(ReadReplicas.MASTER_ONLY);
    assertThat(t.route(4).replicas()).as("finished onto group 1, not online yet").isSameAs(ReadReplicas.MASTER_ONLY);
    assertThat(t.route(3).replicas()).as("group 2 reads from its master").isNull();
    assertThat(RoutingTable.fromTopology(new Topology(5, groups, slots, new TreeMap<>(), true, true)).route(1)
        .replicas().localCount()).as("no datacenter: every replica is as good").isZero();
  }
}
