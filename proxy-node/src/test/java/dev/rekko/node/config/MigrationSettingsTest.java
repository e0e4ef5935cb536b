package dev.rekko.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rekko.slots.GroupMover;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code rekko.migration}: the walks' thread pool follows max-parallel-walks, and the group movers' settings
 * are read and checked at start (the data path times its own MIGRATEs with them).
 */
class MigrationSettingsTest {
  private static final String POOL = GroupMover.WALK_DISPATCHER + ".thread-pool-executor.fixed-pool-size";

  @Test
  void theWalksPoolHasMaxParallelWalksThreads() {
    NodeConfig defaults = NodeConfig.of(Map.of());
    assertThat(defaults.migration().maxParallelWalks()).isEqualTo(16);
    assertThat(defaults.config().getInt(POOL)).isEqualTo(16);
    NodeConfig three = NodeConfig.of(Map.of("rekko.migration.max-parallel-walks", "3"));
    assertThat(three.migration().maxParallelWalks()).isEqualTo(3);
    assertThat(three.config().getInt(POOL)).isEqualTo(3);
  }

  @Test
  void theDataPathTimesItsMigratesLikeTheMover() {
    NodeConfig c = NodeConfig.of(Map.of("rekko.migration.mover.migrate-timeout", "2s",
        "rekko.migration.mover.timeout-per-mib", "50ms"));
    assertThat(c.migration().groupMover().serverMover().migrateTimeoutMillis(-1)).isEqualTo(2000);
    assertThat(c.migration().groupMover().serverMover().migrateTimeoutMillis(3 * 1024 * 1024 + 1)).isEqualTo(2000 + 4 * 50);
  }

  @Test
  void badValuesAreRefusedNamingTheirKey() {
    assertThat(problems(Map.of("rekko.migration.max-parallel-walks", "0")))
        .startsWith("rekko.migration.max-parallel-walks: 0 is out of range, must be 1..1024");
    assertThat(problems(Map.of("rekko.migration.mover.migrate-timeout", "0ms")))
        .startsWith("rekko.migration.mover.migrate-timeout: must be positive");
  }

  private static String problems(Map<String, String> overrides) {
    NodeConfigException e = catchThrowableOfType(NodeConfigException.class, () -> NodeConfig.of(overrides));
    assertThat(e).as("a configuration error for %s", overrides).isNotNull();
    assertThat(e.problems()).hasSize(1);
    return e.problems().get(0);
  }
}
