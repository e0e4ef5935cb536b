package dev.rekko.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologySeed;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class BootstrapTest {
  private static final List<TopologySeed.SeedGroup> SEEDS =
      List.of(new TopologySeed.SeedGroup(1, List.of("10.0.0.1:6379")));
  private static final CoordinatorSettings SETTINGS = CoordinatorCluster.settings(SEEDS, "");
  private static final Topology EMPTY_LOADED =
      new Topology(0, new TreeMap<>(), null, new TreeMap<>(), false, true);

  @Test
  void seedsOnlyANewEmptyCluster() {
    assertThat(plan(SETTINGS, EMPTY_LOADED)).isTrue();
    assertThat(plan(CoordinatorCluster.settings(List.of(), ""), EMPTY_LOADED)).isFalse();
    assertThat(plan(SETTINGS, new Topology(1, new TreeMap<>(), null, new TreeMap<>(), true, true))).isFalse();
    TreeMap<Integer, GroupInfo> other = new TreeMap<>();
    other.put(5, new GroupInfo(5, List.of(ServerInfo.master("10.0.0.5:6379")), false, 1));
    assertThat(plan(SETTINGS, new Topology(1, other, null, new TreeMap<>(), false, true))).isFalse();
    var twice = CoordinatorCluster.settings(List.of(SEEDS.get(0), SEEDS.get(0)), "");
    assertThat(plan(twice, EMPTY_LOADED)).isFalse();
  }

  @Test
  void theBackendPasswordStaysOutOfLogs() {
    CoordinatorSettings s = CoordinatorCluster.settings(SEEDS, "secret");
    assertThat(s.backendPassword()).isEqualTo("secret");
    assertThat(s.toString()).doesNotContain("secret").contains("backendPassword=***");
  }

  private static boolean plan(CoordinatorSettings settings, Topology topology) {
    return Bootstrap.seedPlan(settings, topology, LoggerFactory.getLogger(BootstrapTest.class)).isPresent();
  }
}
