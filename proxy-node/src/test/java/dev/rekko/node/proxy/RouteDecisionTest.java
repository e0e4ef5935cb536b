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
 * The one routing decision, for each state a slot can be in: the route is built from a topology as the
 * node builds it, so a state that maps to the wrong route shows here too. Group 3 has no master.
 */
class RouteDecisionTest {
  private static final int SLOT = 7;

  @ParameterizedTest(name = "{0} {1}->{2}: {3}, behind queued commands: {4}")
  @CsvSource({
      "OFFLINE,   0, 0, OFFLINE,       OFFLINE",
      "ONLINE,    1, 0, DIRECT,        QUEUED",
      "PENDING,   1, 2, DIRECT,        QUEUED",
      "PREPARING, 1, 2, HOLD,          QUEUED",
      "BARRIER,   1, 2, HOLD,          QUEUED",
      "MIGRATING, 1, 2, MIGRATE_FIRST, QUEUED",
      "FINISHED,  1, 2, DIRECT,        QUEUED",
      // A group without a master serves nothing, whichever step the slot is at.
      "ONLINE,    3, 0, OFFLINE,       OFFLINE",
      "BARRIER,   3, 2, OFFLINE,       OFFLINE",
      "MIGRATING, 1, 3, OFFLINE,       OFFLINE",
  })
  void eachStateOfASlotHasOneRoute(SlotState state, int group, int target, RouteDecision alone,
      RouteDecision queued) {
    SlotRoute route = table(new SlotInfo(SLOT, state, group, target, 5)).route(SLOT);
    assertThat(RouteDecision.of(route, false)).isEqualTo(alone);
    assertThat(RouteDecision.of(route, true)).isEqualTo(queued);
  }

  @Test
  void noTableRefuses() {
    assertThat(RouteDecision.of(null, false)).isEqualTo(RouteDecision.REFUSED);
    assertThat(RouteDecision.of(null, true)).isEqualTo(RouteDecision.REFUSED);
  }

  @Test
  void onlyHeldMigratingAndQueuedCommandsTakeTheDeferredPath() {
    assertThat(RouteDecision.values()).filteredOn(RouteDecision::deferred)
        .containsExactly(RouteDecision.HOLD, RouteDecision.MIGRATE_FIRST, RouteDecision.QUEUED);
  }

  @Test
  void aMigratingSlotsKeysComeFromTheSourceMaster() {
    SlotRoute route = table(new SlotInfo(SLOT, SlotState.MIGRATING, 1, 2, 5)).route(SLOT);
    assertThat(route.migrateFrom()).hasToString("127.0.0.1:7001");
    assertThat(route.master()).hasToString("127.0.0.1:7002");
  }

  private static RoutingTable table(SlotInfo slot) {
    List<SlotInfo> slots = new ArrayList<>(Topology.offlineSlots());
    slots.set(slot.id(), slot);
    TreeMap<Integer, GroupInfo> groups = new TreeMap<>();
    groups.put(1, new GroupInfo(1, List.of(ServerInfo.master("127.0.0.1:7001")), false, 1));
    groups.put(2, new GroupInfo(2, List.of(ServerInfo.master("127.0.0.1:7002")), false, 1));
    groups.put(3, new GroupInfo(3, List.of(ServerInfo.replica("127.0.0.1:7003")), false, 1));
    return RoutingTable.fromTopology(new Topology(5, groups, slots, new TreeMap<>(), true, true));
  }
}
