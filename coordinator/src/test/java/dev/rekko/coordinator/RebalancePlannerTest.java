package dev.rekko.coordinator;

import dev.rekko.protocol.SlotHash;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RebalancePlannerTest {

  @Test
  void allSlotsOnOneGroupAreSpreadOverTwo() {
    var groups = groups(1, 2);
    var slots = slots();
    fill(slots, 0, 1023, 1);
    RebalancePlanner.Plan plan = RebalancePlanner.plan(groups, slots);
    assertThat(plan.before()).containsExactly(Map.entry(1, 1024), Map.entry(2, 0));
    assertThat(plan.after()).containsExactly(Map.entry(1, 512), Map.entry(2, 512));
    assertThat(plan.moves()).hasSize(512).allMatch(m -> m.from() == 1 && m.to() == 2);
    // The highest-numbered slots leave, so the donor keeps a contiguous range.
    assertThat(plan.moves().stream().map(Coordinator.Move::slot)).containsExactlyInAnyOrderElementsOf(range(512, 1023));
    assertThat(plan.note()).isEmpty();
  }

  @Test
  void balancedTopologyNeedsNoMoves() {
    var groups = groups(1, 2, 3);
    var slots = slots();
    fill(slots, 0, 341, 1);
    fill(slots, 342, 682, 2);
    fill(slots, 683, 1023, 3);
    RebalancePlanner.Plan plan = RebalancePlanner.plan(groups, slots);
    assertThat(plan.moves()).isEmpty();
    assertThat(plan.after()).isEqualTo(plan.before());
  }

  @Test
  void theRemainderStaysWithTheGroupsThatHoldMost() {
    // 1024 over 3 = 341 r 1: group 2 holds most, so it keeps 342 and only 2 slots move in all.
    var groups = groups(1, 2, 3);
    var slots = slots();
    fill(slots, 0, 340, 1);
    fill(slots, 341, 684, 2);
    fill(slots, 685, 1023, 3);
    RebalancePlanner.Plan plan = RebalancePlanner.plan(groups, slots);
    assertThat(plan.before()).containsExactly(Map.entry(1, 341), Map.entry(2, 344), Map.entry(3, 339));
    assertThat(plan.after()).containsExactly(Map.entry(1, 341), Map.entry(2, 342), Map.entry(3, 341));
    assertThat(plan.moves()).containsExactly(new Coordinator.Move(684, 2, 3), new Coordinator.Move(683, 2, 3));
  }

  @Test
  void aNewEmptyGroupReceivesFromEveryDonor() {
    var groups = groups(1, 2, 3, 4);
    var slots = slots();
    fill(slots, 0, 340, 1);
    fill(slots, 341, 681, 2);
    fill(slots, 682, 1023, 3);
    RebalancePlanner.Plan plan = RebalancePlanner.plan(groups, slots);
    assertThat(plan.after()).containsValues(256).allSatisfy((g, n) -> assertThat(n).isEqualTo(256));
    assertThat(plan.moves()).hasSize(256).allMatch(m -> m.to() == 4);
  }

  @Test
  void groupsWithoutAMasterNeitherReceiveNorGive() {
    SortedMap<Integer, GroupInfo> groups = groups(1, 2);
    groups.put(3, new GroupInfo(3, List.of(), false, 1));
    groups.put(4, new GroupInfo(4, List.of(ServerInfo.replica("10.0.0.4:6379")), false, 1));
    var slots = slots();
    fill(slots, 0, 899, 1);
    fill(slots, 900, 1023, 4);
    RebalancePlanner.Plan plan = RebalancePlanner.plan(groups, slots);
    assertThat(plan.after()).containsExactly(Map.entry(1, 450), Map.entry(2, 450), Map.entry(3, 0),
        Map.entry(4, 124));
    assertThat(plan.moves()).allMatch(m -> m.from() == 1 && m.to() == 2);
    assertThat(plan.note()).contains("groups without a master keep their slots: [4]");
  }

  @Test
  void offlineSlotsAreNotPlannedButReported() {
    var groups = groups(1, 2);
    var slots = slots();
    fill(slots, 0, 99, 1);
    RebalancePlanner.Plan plan = RebalancePlanner.plan(groups, slots);
    assertThat(plan.after()).containsExactly(Map.entry(1, 50), Map.entry(2, 50));
    assertThat(plan.moves()).hasSize(50);
    assertThat(plan.note()).contains("924 offline slots").contains("100-1023");
  }

  @Test
  void everySlotOfflineGivesAnEmptyPlan() {
    RebalancePlanner.Plan plan = RebalancePlanner.plan(groups(1, 2), slots());
    assertThat(plan.moves()).isEmpty();
    assertThat(plan.before()).containsExactly(Map.entry(1, 0), Map.entry(2, 0));
    assertThat(plan.note()).contains("1024 offline slots");
  }

  @Test
  void noGroupsGivesAnEmptyPlan() {
    RebalancePlanner.Plan plan = RebalancePlanner.plan(Topology.EMPTY);
    assertThat(plan.moves()).isEmpty();
    assertThat(plan.before()).isEmpty();
    assertThat(plan.toResult()).isEqualTo(new Coordinator.RebalancePlan(List.of(), new TreeMap<>(), new TreeMap<>()));
  }

  @Test
  void migratingSlotsCountAtTheirTargetAndNeverMove() {
    var groups = groups(1, 2);
    var slots = slots();
    fill(slots, 0, 1023, 1);
    for (int s = 1000; s < 1024; s++) {
      slots.set(s, new SlotInfo(s, SlotState.MIGRATING, 1, 2, 5));
    }
    slots.set(999, new SlotInfo(999, SlotState.PENDING, 1, 2, 5));
    RebalancePlanner.Plan plan = RebalancePlanner.plan(groups, slots);
    assertThat(plan.before()).containsExactly(Map.entry(1, 999), Map.entry(2, 25));
    assertThat(plan.after()).containsExactly(Map.entry(1, 512), Map.entry(2, 512));
    assertThat(plan.moves()).hasSize(487).allMatch(m -> m.slot() < 999);
    assertThat(plan.moves().get(0).slot()).isEqualTo(998);
  }

  @Test
  void aDonorWhoseSurplusIsMigratingInIsReported() {
    var groups = groups(1, 2);
    var slots = slots();
    for (int s = 0; s < 100; s++) {
      slots.set(s, new SlotInfo(s, SlotState.MIGRATING, 2, 1, 5));
    }
    RebalancePlanner.Plan plan = RebalancePlanner.plan(groups, slots);
    assertThat(plan.moves()).isEmpty();
    assertThat(plan.note()).contains("hold migrating slots that cannot move");
  }

  /**
   * Random topologies: after the moves every servable group's count differs by at most one, the number
   * of moves is the minimum (computed independently), only online slots move, each at most once, from
   * their owner to a group with a master.
   */
  @Test
  void randomTopologiesEndBalancedWithTheFewestMoves() {
    Random random = new Random(20261124);
    for (int round = 0; round < 2000; round++) {
      int n = 1 + random.nextInt(9);
      SortedMap<Integer, GroupInfo> groups = new TreeMap<>();
      List<Integer> ids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int id = 1 + random.nextInt(40);
        if (groups.containsKey(id)) {
          continue;
        }
        boolean master = random.nextInt(5) > 0;
        groups.put(id, new GroupInfo(id, master ? List.of(ServerInfo.master("10.0.0." + id + ":6379"))
            : List.of(), false, 1));
        ids.add(id);
      }
      double offline = random.nextInt(3) == 0 ? 0 : random.nextDouble();
      // Skew: some groups are much more likely owners than others.
      int[] weights = ids.stream().mapToInt(id -> 1 + random.nextInt(10)).toArray();
      int weightSum = java.util.Arrays.stream(weights).sum();
      List<SlotInfo> slots = slots();
      for (int s = 0; s < SlotHash.SLOTS; s++) {
        if (random.nextDouble() < offline) {
          continue;
        }
        int pick = random.nextInt(weightSum);
        int g = 0;
        while (pick >= weights[g]) {
          pick -= weights[g++];
        }
        slots.set(s, SlotInfo.online(s, ids.get(g), 1));
      }
      check(round, groups, slots);
    }
  }

  private static void check(int round, SortedMap<Integer, GroupInfo> groups, List<SlotInfo> slots) {
    RebalancePlanner.Plan plan = RebalancePlanner.plan(groups, slots);
    String at = "round " + round + " " + plan.before();
    List<Integer> eligible = groups.values().stream().filter(g -> g.master().isPresent()).map(GroupInfo::id).toList();

    Map<Integer, Integer> counts = new HashMap<>(plan.before());
    Set<Integer> moved = new HashSet<>();
    for (Coordinator.Move m : plan.moves()) {
      SlotInfo s = slots.get(m.slot());
      assertThat(s.state()).as(at).isEqualTo(SlotState.ONLINE);
      assertThat(s.group()).as(at).isEqualTo(m.from());
      assertThat(eligible).as(at).contains(m.from(), m.to());
      assertThat(moved.add(m.slot())).as(at + " moves slot " + m.slot() + " twice").isTrue();
      counts.merge(m.from(), -1, Integer::sum);
      counts.merge(m.to(), 1, Integer::sum);
    }
    assertThat(plan.after()).as(at).isEqualTo(counts);
    if (eligible.isEmpty()) {
      assertThat(plan.moves()).as(at).isEmpty();
      return;
    }
    int max = eligible.stream().mapToInt(counts::get).max().orElseThrow();
    int min = eligible.stream().mapToInt(counts::get).min().orElseThrow();
    assertThat(max - min).as(at).isLessThanOrEqualTo(1);

    int total = eligible.stream().mapToInt(plan.before()::get).sum();
    int base = total / eligible.size();
    int extra = total % eligible.size();
    int surplus = eligible.stream().mapToInt(g -> Math.max(0, plan.before().get(g) - base)).sum();
    long above = eligible.stream().filter(g -> plan.before().get(g) > base).count();
    assertThat(plan.moves()).as(at).hasSize(surplus - (int) Math.min(extra, above));
  }

  private static SortedMap<Integer, GroupInfo> groups(int... ids) {
    SortedMap<Integer, GroupInfo> groups = new TreeMap<>();
    for (int id : ids) {
      groups.put(id, new GroupInfo(id, List.of(ServerInfo.master("10.0.0." + id + ":6379")), false, 1));
    }
    return groups;
  }

  private static List<SlotInfo> slots() {
    return new ArrayList<>(Topology.offlineSlots());
  }

  private static void fill(List<SlotInfo> slots, int from, int to, int group) {
    for (int s = from; s <= to; s++) {
      slots.set(s, SlotInfo.online(s, group, 1));
    }
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> r = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      r.add(i);
    }
    return r;
  }
}
