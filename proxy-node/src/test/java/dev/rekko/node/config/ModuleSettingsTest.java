package dev.rekko.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rekko.coordinator.CoordinatorSettings;
import dev.rekko.coordinator.ha.HaSettings;
import dev.rekko.redis.admin.RedisVersion;
import dev.rekko.redis.migrate.Credentials;
import dev.rekko.redis.migrate.ServerMoverSettings;
import dev.rekko.topology.TopologySeed;
import dev.rekko.topology.TopologySettings;
import dev.rekko.topology.TopologySettings.Consistency;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.junit.jupiter.api.Test;

/**
 * One settings tree: the sections whose records belong to other modules ({@code rekko.topology},
 * {@code rekko.migration.mover}, {@code rekko.coordinator}) are read at start like every other key, from
 * proxy-node's reference.conf, and handed down as the records those modules define.
 */
class ModuleSettingsTest {

  @Test
  void defaultsAreTheRecordsOwn() {
    NodeConfig c = NodeConfig.of(Map.of());
    assertThat(c.topology()).isEqualTo(TopologySettings.of(Consistency.MAJORITY, Consistency.MAJORITY,
        Consistency.LOCAL, Consistency.MAJORITY, Duration.ofSeconds(3), Duration.ofSeconds(2), Consistency.MAJORITY,
        Duration.ofSeconds(3), Duration.ofSeconds(1)));
    // reference.conf states the walk's defaults; the redis-module benchmark and tests use the same values.
    assertThat(c.migration().groupMover().serverMover()).isEqualTo(ServerMoverSettings.defaults());
    assertThat(c.migration().groupMover().credentials()).isEqualTo(Credentials.NONE);
    assertThat(c.coordinator()).isEqualTo(new CoordinatorSettings(List.of(), "", "", Duration.ofSeconds(5),
        RedisVersion.MINIMUM, Duration.ofSeconds(30), Duration.ofSeconds(5), 1024));
    assertThat(c.coordinator().ha()).isEqualTo(HaSettings.defaults());
    assertThat(c.durableWrites()).isEqualTo(DurableWrites.defaults());
  }

  @Test
  void haSettingsComeFromOverridesAndTheEnvironment() {
    NodeConfig c = NodeConfig.load(Optional.empty(), Map.of(
            "rekko.ha.enabled", "off",
            "rekko.ha.check-interval", "250ms",
            "rekko.ha.quorum", "2",
            "rekko.ha.durable-writes", "on"),
        Map.of("REKKO_HA_DOWN_AFTER", "5s", "REKKO_HA_QUORUM", "3", "REKKO_HA_REPORT_INTERVAL", "7s",
            "REKKO_HA_DURABLE_TIMEOUT", "250ms"));
    HaSettings ha = c.coordinator().ha();
    assertThat(ha.enabled()).isFalse();
    assertThat(ha.checkInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(ha.downAfter()).isEqualTo(Duration.ofSeconds(5));
    assertThat(ha.quorum()).as("-D is stronger than the environment").isEqualTo(2);
    assertThat(ha.reportInterval()).isEqualTo(Duration.ofSeconds(7));
    assertThat(ha.infoInterval()).isEqualTo(HaSettings.defaults().infoInterval());
    assertThat(c.durableWrites()).isEqualTo(new DurableWrites(true, Duration.ofMillis(250)));
  }

  @Test
  void overridesAndEnvironmentReachTheRecords() {
    NodeConfig c = NodeConfig.load(Optional.empty(), Map.of(
            "rekko.topology.node-writes", "Majority",
            "rekko.topology.write-timeout", "4s",
            "rekko.migration.mover.copy-lanes", "0",
            "rekko.migration.mover.copy-max-value-bytes", "1m",
            "rekko.coordinator.min-redis-version", "7.0",
            "rekko.coordinator.max-parallel-slots", "8"),
        Map.of("REKKO_TOPOLOGY_SLOT_WRITES", "all", "REKKO_MIGRATION_MOVER_BATCH_KEYS", "250",
            "REKKO_COORDINATOR_VIEW_TIMEOUT", "9s"));
    assertThat(c.topology().nodeWrites()).isEqualTo(new Replicator.WriteMajority(Duration.ofSeconds(4)));
    assertThat(c.topology().slotWrites()).isEqualTo(new Replicator.WriteAll(Duration.ofSeconds(4)));
    assertThat(c.topology().askTimeout()).isEqualTo(Duration.ofSeconds(6));
    ServerMoverSettings mover = c.migration().groupMover().serverMover();
    assertThat(mover.copyLanes()).isZero();
    // HOCON's units, as these keys always took: 1m is a MiB.
    assertThat(mover.copyMaxValueBytes()).isEqualTo(1024 * 1024);
    assertThat(mover.batchKeys()).isEqualTo(250);
    assertThat(c.coordinator().minRedisVersion()).isEqualTo(new RedisVersion(7, 0, 0));
    assertThat(c.coordinator().maxParallelSlots()).isEqualTo(8);
    assertThat(c.coordinator().viewTimeout()).hasSeconds(9);
  }

  @Test
  void theCoordinatorAndTheMoversGetTheBootstrapGroupsAndBackendCredentials() {
    NodeConfig c = NodeConfig.of(Map.of("rekko.bootstrap.groups", "2=10.0.0.2:6379,10.0.0.3:6379",
        "rekko.backend.user", "rekko", "rekko.backend.password", "secret"));
    assertThat(c.coordinator().seedGroups())
        .containsExactly(new TopologySeed.SeedGroup(2, List.of("10.0.0.2:6379", "10.0.0.3:6379")));
    assertThat(c.coordinator().backendUser()).isEqualTo("rekko");
    assertThat(c.coordinator().backendPassword()).isEqualTo("secret");
    assertThat(c.migration().groupMover().credentials()).isEqualTo(new Credentials("rekko", "secret"));
    assertThat(c.backend().connections().user()).isEqualTo("rekko");
  }

  /**
   * Every {@code rekko} key of every module's reference.conf is in proxy-node's, with its environment
   * variable; the other modules define only the dispatchers Pekko reads (keys ending in -dispatcher).
   */
  @Test
  void everyKeyIsInTheNodesReferenceWithItsVariable() throws Exception {
    String nodeReference = Files.readString(Path.of("src/main/resources/reference.conf"));
    Config all = ConfigFactory.defaultReference().getConfig("rekko");
    int keys = 0;
    for (var e : all.entrySet()) {
      String key = e.getKey();
      if (key.matches(".*-dispatcher\\..*")) {
        continue;
      }
      String variable = "REKKO_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
      assertThat(nodeReference).as("rekko.%s in proxy-node's reference.conf", key).contains("${?" + variable + "}");
      keys++;
    }
    assertThat(keys).as("settings found").isGreaterThan(60);
  }
}
