package dev.rekko.node.config;

import dev.rekko.coordinator.CoordinatorSettings;
import dev.rekko.coordinator.ha.HaSettings;
import dev.rekko.redis.admin.RedisVersion;
import dev.rekko.redis.migrate.ServerMoverSettings;
import dev.rekko.topology.TopologySeed;
import dev.rekko.topology.TopologySettings;
import dev.rekko.topology.TopologySettings.Consistency;
import java.time.Duration;
import java.util.List;

/**
 * Reads the sections whose typed records belong to the lower modules, so that those modules read no
 * configuration of their own: {@code rekko.topology} ({@link TopologySettings}, slot-actors),
 * {@code rekko.migration.mover} ({@link ServerMoverSettings}, redis-module), {@code rekko.coordinator}
 * ({@link CoordinatorSettings}) and {@code rekko.ha} ({@link HaSettings}, inside the coordinator's). Problems go to the reader like every other key's, so a bad value stops
 * the node at start, naming its key, rather than at its first migration.
 */
final class ModuleSettings {
  private static final String TOPOLOGY = "rekko.topology.";
  private static final String MOVER = "rekko.migration.mover.";
  private static final String COORDINATOR = "rekko.coordinator.";
  private static final String HA = "rekko.ha.";

  private ModuleSettings() {}

  static TopologySettings topology(ConfigReader r) {
    return TopologySettings.of(
        r.choice(TOPOLOGY + "group-writes", Consistency.class, Consistency.MAJORITY),
        r.choice(TOPOLOGY + "slot-writes", Consistency.class, Consistency.MAJORITY),
        r.choice(TOPOLOGY + "node-writes", Consistency.class, Consistency.LOCAL),
        r.choice(TOPOLOGY + "meta-writes", Consistency.class, Consistency.MAJORITY),
        r.duration(TOPOLOGY + "write-timeout", false),
        r.duration(TOPOLOGY + "ask-margin", true),
        r.choice(TOPOLOGY + "initial-read", Consistency.class, Consistency.MAJORITY),
        r.duration(TOPOLOGY + "read-timeout", false),
        r.duration(TOPOLOGY + "read-retry", false));
  }

  /** The group movers' walks; what the keys leave unset keeps {@link ServerMoverSettings}' defaults. */
  static ServerMoverSettings serverMover(ConfigReader r) {
    ServerMoverSettings.Builder b = ServerMoverSettings.builder()
        .copyLanes(r.integer(MOVER + "copy-lanes", 0, Integer.MAX_VALUE))
        .copyMaxValueBytes(r.hoconBytes(MOVER + "copy-max-value-bytes", 1))
        .copyBatchBytes(r.hoconBytes(MOVER + "copy-batch-bytes", 1))
        .batchKeys(r.integer(MOVER + "batch-keys", 1, Integer.MAX_VALUE))
        .pipelineDepth(r.integer(MOVER + "pipeline-depth", 1, Integer.MAX_VALUE))
        .scanCount(r.integer(MOVER + "scan-count", 1, Integer.MAX_VALUE))
        .migrateTimeout(millis(r, MOVER + "migrate-timeout"))
        .timeoutPerMiB(r.duration(MOVER + "timeout-per-mib", true))
        .maxKeysPerSecond(r.whole(MOVER + "max-keys-per-second", 0, Long.MAX_VALUE))
        .yieldAbove(r.whole(MOVER + "yield-above-commands-per-second", 0, Long.MAX_VALUE))
        .yieldBatchKeys(r.integer(MOVER + "yield-batch-keys", 1, Integer.MAX_VALUE))
        .yieldPipelineDepth(r.integer(MOVER + "yield-pipeline-depth", 1, Integer.MAX_VALUE))
        .loadProbeInterval(millis(r, MOVER + "load-probe-interval"));
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      // Only reached after a problem above (its fallback value may not fit the others).
      return ServerMoverSettings.defaults();
    }
  }

  /**
   * {@code rekko.coordinator}, with the node's bootstrap groups and backend credentials: the coordinator
   * seeds a new cluster from the former and opens its admin connections with the latter.
   */
  static CoordinatorSettings coordinator(ConfigReader r, List<GroupSeed> groups, BackendSettings backend) {
    return new CoordinatorSettings(
        // A group without servers is already a problem of rekko.bootstrap.groups; the rest still build.
        groups.stream().filter(g -> !g.servers().isEmpty())
            .map(g -> new TopologySeed.SeedGroup(g.id(), g.servers())).toList(),
        backend.user(),
        backend.password(),
        r.duration(COORDINATOR + "server-check-timeout", false),
        version(r, COORDINATOR + "min-redis-version"),
        r.duration(COORDINATOR + "slot-ask-timeout", false),
        r.duration(COORDINATOR + "view-timeout", false),
        r.integer(COORDINATOR + "max-parallel-slots", 1, Integer.MAX_VALUE),
        ha(r),
        backend.connections().tls());
  }

  /** {@code rekko.ha}: health checks, failover and switchover, for the coordinator and the node's reporter. */
  static HaSettings ha(ConfigReader r) {
    Duration pingTimeout = r.duration(HA + "ping-timeout", false);
    Duration downAfter = r.duration(HA + "down-after", false);
    if (downAfter.compareTo(pingTimeout) <= 0) {
      r.problem(HA + "down-after", downAfter + " must be longer than rekko.ha.ping-timeout (" + pingTimeout
          + "): one slow PING would count as down" + r.origin(HA + "down-after"));
    }
    return new HaSettings(
        r.bool(HA + "enabled"),
        r.duration(HA + "check-interval", false),
        r.duration(HA + "info-interval", false),
        pingTimeout,
        downAfter,
        r.integer(HA + "quorum", 0, Integer.MAX_VALUE),
        r.duration(HA + "failover-timeout", false),
        r.duration(HA + "max-link-down", false),
        r.duration(HA + "report-interval", false),
        r.duration(HA + "repair-interval", false));
  }

  /** {@code rekko.ha.durable-writes} and {@code durable-timeout}. */
  static DurableWrites durableWrites(ConfigReader r) {
    return new DurableWrites(r.bool(HA + "durable-writes"), r.duration(HA + "durable-timeout", false));
  }

  /** A positive duration of at least a millisecond: Redis and the probe count whole milliseconds. */
  private static Duration millis(ConfigReader r, String path) {
    Duration d = r.duration(path, false);
    if (d.toMillis() < 1) {
      r.problem(path, "must be at least 1ms, got " + d + r.origin(path));
      return Duration.ofSeconds(1);
    }
    return d;
  }

  private static RedisVersion version(ConfigReader r, String path) {
    String text = r.string(path);
    try {
      return RedisVersion.parse(text);
    } catch (IllegalArgumentException | ArithmeticException e) {
      r.problem(path, "expected a Redis version such as 6.2.0, got \"" + text + "\"" + r.origin(path));
      return RedisVersion.MINIMUM;
    }
  }
}
