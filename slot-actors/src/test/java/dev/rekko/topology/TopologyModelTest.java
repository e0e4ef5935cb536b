package dev.rekko.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TopologyModelTest {

  @Test
  void emptyTopologyHasEverySlotOfflineAndIsNotLoaded() {
    Topology t = Topology.EMPTY;
    assertThat(t.loaded()).isFalse();
    assertThat(t.bootstrapped()).isFalse();
    assertThat(t.epoch()).isZero();
    assertThat(t.slots()).hasSize(1024);
    for (int i = 0; i < 1024; i++) {
      assertThat(t.slot(i)).isEqualTo(new SlotInfo(i, SlotState.OFFLINE, 0, 0, 0));
      assertThat(t.masterOf(i)).isEmpty();
    }
    assertThat(t.groups()).isEmpty();
    assertThat(t.slotCountByGroup()).isEmpty();
  }

  @Test
  void epochIsTheHighestOfAnyEntryAndOfTheGivenMark() {
    var slots = Topology.offlineSlots();
    slots.set(7, SlotInfo.online(7, 1, 9));
    var groups = new TreeMap<Integer, GroupInfo>(Map.of(1, group(1, 4, "a:1")));
    assertThat(new Topology(0, groups, slots, null, false, true).epoch()).isEqualTo(9);
    assertThat(new Topology(12, groups, slots, null, false, true).epoch()).isEqualTo(12);
    groups.put(2, group(2, 20, "b:1"));
    assertThat(new Topology(12, groups, slots, null, false, true).epoch()).isEqualTo(20);
  }

  @Test
  void masterOfFollowsTheMigrationState() {
    var groups = new TreeMap<Integer, GroupInfo>();
    groups.put(1, group(1, 1, "a:1", "a:2"));
    groups.put(2, group(2, 1, "b:1"));
    var slots = Topology.offlineSlots();
    slots.set(0, SlotInfo.online(0, 1, 1));
    slots.set(1, new SlotInfo(1, SlotState.BARRIER, 1, 2, 2));
    slots.set(2, new SlotInfo(2, SlotState.MIGRATING, 1, 2, 3));
    slots.set(3, SlotInfo.online(3, 3, 1)); // a group nobody knows
    Topology t = new Topology(0, groups, slots, null, false, true);
    assertThat(t.masterOf(0)).map(ServerInfo::addr).contains("a:1");
    assertThat(t.masterOf(1)).map(ServerInfo::addr).contains("a:1");
    assertThat(t.masterOf(2)).map(ServerInfo::addr).contains("b:1");
    assertThat(t.masterOf(3)).isEmpty();
    assertThat(t.masterOf(4)).isEmpty();
    assertThat(t.slotCountByGroup()).containsExactly(Map.entry(1, 3), Map.entry(2, 0), Map.entry(3, 1));
    assertThat(t.group(2)).map(GroupInfo::id).contains(2);
    assertThat(t.group(9)).isEmpty();
  }

  @Test
  void invalidShapesAreRefused() {
    assertThatThrownBy(() -> new Topology(0, null, List.of(SlotInfo.offline(0)), null, false, false))
        .hasMessageContaining("1024");
    var swapped = Topology.offlineSlots();
    swapped.set(5, SlotInfo.offline(6));
    assertThatThrownBy(() -> new Topology(0, null, swapped, null, false, false))
        .hasMessageContaining("index 5");
    assertThatThrownBy(() -> new SlotInfo(1024, SlotState.ONLINE, 1, 0, 1)).hasMessageContaining("range");
    assertThatThrownBy(() -> group(0, 1, "a:1")).hasMessageContaining("positive");
    assertThatThrownBy(() -> new GroupInfo(1, List.of(ServerInfo.master("a:1"), ServerInfo.master("a:2")),
        false, 1)).hasMessageContaining("2 masters");
    assertThatThrownBy(() -> new GroupInfo(1, List.of(ServerInfo.master("a:1"), ServerInfo.replica("a:1")),
        false, 1)).hasMessageContaining("twice");
  }

  @Test
  void groupWithoutMasterHasNone() {
    GroupInfo g = new GroupInfo(3, List.of(ServerInfo.replica("r:1")), true, 2);
    assertThat(g.master()).isEmpty();
    assertThat(g.server("r:1")).isPresent();
    assertThat(g.withServers(List.of(ServerInfo.master("r:1")), 3).master()).map(ServerInfo::addr)
        .contains("r:1");
  }

  static GroupInfo group(int id, long epoch, String master, String... replicas) {
    var servers = new ArrayList<ServerInfo>();
    servers.add(ServerInfo.master(master));
    for (String r : replicas) {
      servers.add(ServerInfo.replica(r));
    }
    return new GroupInfo(id, servers, false, epoch);
  }
}
