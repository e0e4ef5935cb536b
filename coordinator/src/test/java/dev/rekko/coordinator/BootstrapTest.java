package dev.rekko.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
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
  private static final CoordinatorSettings SETTINGS =
      CoordinatorSettings.create(ConfigFactory.load()).withSeedGroups(SEEDS);
  private static final Topology EMPTY_LOADED =
      new Topology(0, new TreeMap<>(), null, new TreeMap<>(), false, true);

  @Test
  void seedsOnlyANewEmptyCluster() {
    assertThat(plan(SETTINGS, EMPTY_LOADED)).isTrue();
    assertThat(plan(SETTINGS.withSeedGroups(List.of()), EMPTY_LOADED)).isFalse();
    assertThat(plan(SETTINGS, new Topology(1, new TreeMap<>(), null, new TreeMap<>(), true, true))).isFalse();
    TreeMap<Integer, GroupInfo> other = new TreeMap<>();
    other.put(5, new GroupInfo(5, List.of(ServerInfo.master("10.0.0.5:6379")), false, 1));
    assertThat(plan(SETTINGS, new Topology(1, other, null, new TreeMap<>(), false, true))).isFalse();
    var twice = SETTINGS.withSeedGroups(List.of(SEEDS.get(0), SEEDS.get(0)));
    assertThat(plan(twice, EMPTY_LOADED)).isFalse();
  }

  @Test
  void settingsComeFromReferenceConf() {
    CoordinatorSettings s = CoordinatorSettings.create(ConfigFactory.parseString("""
        rekko.coordinator.seed-groups = [ { id = 2, servers = ["10.0.0.2:6379", "10.0.0.3:6379"] } ]
        rekko.coordinator.backend-password = secret
        """).withFallback(ConfigFactory.load()));
    assertThat(s.seedGroups())
        .containsExactly(new TopologySeed.SeedGroup(2, List.of("10.0.0.2:6379", "10.0.0.3:6379")));
    assertThat(s.minRedisVersion()).hasToString("6.2.0");
    assertThat(s.backendPassword()).isEqualTo("secret");
    assertThat(s.toString()).doesNotContain("secret");
  }

  private static boolean plan(CoordinatorSettings settings, Topology topology) {
    return Bootstrap.seedPlan(settings, topology, LoggerFactory.getLogger(BootstrapTest.class)).isPresent();
  }
}
