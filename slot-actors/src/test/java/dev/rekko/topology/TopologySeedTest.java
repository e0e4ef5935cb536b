package dev.rekko.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.topology.TopologySeed.SeedGroup;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TopologySeedTest {

  @Test
  void oneGroupGetsEverySlot() {
    var plan = TopologySeed.plan(List.of(new SeedGroup(1, List.of("m:1", "r:1"))));
    assertCovered(plan);
    assertThat(ranges(plan)).containsExactly(Map.entry(1, List.of(0, 1023)));
    GroupInfo g = plan.groups().get(0);
    assertThat(g.master()).map(ServerInfo::addr).contains("m:1");
    assertThat(g.servers().get(1)).isEqualTo(ServerInfo.replica("r:1"));
    assertThat(g.epoch()).isEqualTo(1);
  }

  @Test
  void twoGroupsSplitInHalves() {
    var plan = TopologySeed.plan(List.of(new SeedGroup(2, List.of("b:1")), new SeedGroup(1, List.of("a:1"))));
    assertCovered(plan);
    assertThat(ranges(plan)).containsExactly(Map.entry(1, List.of(0, 511)), Map.entry(2, List.of(512, 1023)));
  }

  @Test
  void threeGroupsGiveTheRemainderToTheFirst() {
    var plan = TopologySeed.plan(List.of(new SeedGroup(5, List.of("a:1")), new SeedGroup(7, List.of("b:1")),
        new SeedGroup(9, List.of("c:1"))));
    assertCovered(plan);
    // 1024 = 3 * 341 + 1
    assertThat(ranges(plan)).containsExactly(Map.entry(5, List.of(0, 341)), Map.entry(7, List.of(342, 682)),
        Map.entry(9, List.of(683, 1023)));
  }

  @Test
  void badInputIsRefused() {
    assertThatThrownBy(() -> TopologySeed.plan(List.of())).hasMessageContaining("at least one");
    assertThatThrownBy(() -> TopologySeed.plan(List.of(new SeedGroup(1, List.of("a:1")),
        new SeedGroup(1, List.of("b:1"))))).hasMessageContaining("twice");
    assertThatThrownBy(() -> new SeedGroup(1, List.of())).hasMessageContaining("master");
  }

  @Test
  void onlyALoadedNeverBootstrappedClusterHoldingNothingElseMaySeed() {
    var plan = TopologySeed.plan(List.of(new SeedGroup(1, List.of("a:1")), new SeedGroup(2, List.of("b:1"))));
    assertThat(TopologySeed.canSeed(new Topology(0, null, null, null, false, true), plan)).isTrue();
    assertThat(TopologySeed.canSeed(Topology.EMPTY, plan)).isFalse();
    assertThat(TopologySeed.canSeed(new Topology(0, null, null, null, true, true), plan)).isFalse();

    // Cut short after the groups and half the slots: the same plan may finish it.
    var groups = new TreeMap<Integer, GroupInfo>();
    plan.groups().forEach(g -> groups.put(g.id(), g));
    var slots = Topology.offlineSlots();
    for (int i = 0; i < 512; i++) {
      slots.set(i, plan.slots().get(i));
    }
    assertThat(TopologySeed.canSeed(new Topology(0, groups, slots, null, false, true), plan)).isTrue();

    // Something the plan does not say: a group added by hand, or a slot assigned elsewhere.
    var other = TopologySeed.plan(List.of(new SeedGroup(1, List.of("a:1"))));
    assertThat(TopologySeed.canSeed(new Topology(0, groups, null, null, false, true), other)).isFalse();
    slots.set(700, SlotInfo.online(700, 1, 3));
    assertThat(TopologySeed.canSeed(new Topology(0, null, slots, null, false, true), plan)).isFalse();
  }

  private static void assertCovered(TopologySeed.Plan plan) {
    assertThat(plan.slots()).hasSize(1024);
    for (int i = 0; i < 1024; i++) {
      SlotInfo s = plan.slots().get(i);
      assertThat(s.id()).isEqualTo(i);
      assertThat(s.state()).isEqualTo(SlotState.ONLINE);
      assertThat(s.epoch()).isEqualTo(1);
      assertThat(s.target()).isZero();
    }
    // The plan must be a valid topology.
    var groups = new TreeMap<Integer, GroupInfo>();
    plan.groups().forEach(g -> groups.put(g.id(), g));
    Topology t = new Topology(0, groups, plan.slots(), null, true, true);
    int max = t.slotCountByGroup().values().stream().max(Integer::compare).orElseThrow();
    int min = t.slotCountByGroup().values().stream().min(Integer::compare).orElseThrow();
    assertThat(max - min).isLessThanOrEqualTo(1);
  }

  /** group -> [first slot, last slot]; fails when a group's slots are not contiguous. */
  private static Map<Integer, List<Integer>> ranges(TopologySeed.Plan plan) {
    Map<Integer, List<Integer>> ranges = new TreeMap<>();
    int prev = -1;
    for (SlotInfo s : plan.slots()) {
      var r = ranges.get(s.group());
      if (r == null) {
        ranges.put(s.group(), List.of(s.id(), s.id()));
      } else {
        assertThat(prev).as("slots of group %d are contiguous", s.group()).isEqualTo(s.group());
        ranges.put(s.group(), List.of(r.get(0), s.id()));
      }
      prev = s.group();
    }
    return ranges;
  }
}
