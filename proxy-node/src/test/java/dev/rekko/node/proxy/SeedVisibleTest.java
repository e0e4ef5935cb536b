package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologySeed;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A node that awaits the seed serves only once it sees all of it, not just the "bootstrapped" entry. */
class SeedVisibleTest {
  private static final TopologySeed.Plan PLAN = TopologySeed.plan(List.of(
      new TopologySeed.SeedGroup(1, List.of("127.0.0.1:7001")),
      new TopologySeed.SeedGroup(2, List.of("127.0.0.1:7002"))));

  private static Topology topology(List<GroupInfo> groups, List<SlotInfo> slots, boolean bootstrapped) {
    SortedMap<Integer, GroupInfo> byId = new TreeMap<>();
    groups.forEach(g -> byId.put(g.id(), g));
    return new Topology(1, byId, slots, new TreeMap<>(), bootstrapped, true);
  }

  @Test
  void theWholeSeedIsVisible() {
    assertThat(DataPath.seedVisible(topology(PLAN.groups(), PLAN.slots(), true))).isTrue();
  }

  @Test
  void notBeforeTheBootstrappedEntry() {
    assertThat(DataPath.seedVisible(topology(PLAN.groups(), PLAN.slots(), false))).isFalse();
  }

  @Test
  void notWhileASlotKeyIsStillMissing() {
    List<SlotInfo> slots = new ArrayList<>(PLAN.slots());
    for (int s = 64; s < 128; s++) {
      slots.set(s, SlotInfo.offline(s));
    }
    assertThat(DataPath.seedVisible(topology(PLAN.groups(), slots, true))).isFalse();
  }

  @Test
  void notWhileAGroupIsStillMissing() {
    assertThat(DataPath.seedVisible(topology(PLAN.groups().subList(0, 1), PLAN.slots(), true))).isFalse();
  }
}
