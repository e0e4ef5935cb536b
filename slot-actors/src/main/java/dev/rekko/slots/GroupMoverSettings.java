package dev.rekko.slots;

import com.typesafe.config.Config;
import dev.rekko.redis.migrate.Credentials;
import dev.rekko.redis.migrate.ServerMoverSettings;

/**
 * What a source's mover needs: the backend credentials (the node's {@code rekko.backend} settings) and
 * the walk's options ({@code rekko.migration.mover} in {@code reference.conf}).
 */
public record GroupMoverSettings(Credentials credentials, ServerMoverSettings options) {

  public static GroupMoverSettings create(Config root, String user, String password) {
    Config c = root.getConfig("rekko.migration.mover");
    ServerMoverSettings options = ServerMoverSettings.builder()
        .batchKeys(c.getInt("batch-keys"))
        .pipelineDepth(c.getInt("pipeline-depth"))
        .scanCount(c.getInt("scan-count"))
        .migrateTimeout(c.getDuration("migrate-timeout"))
        .timeoutPerMiB(c.getDuration("timeout-per-mib"))
        .maxKeysPerSecond(c.getLong("max-keys-per-second"))
        .yieldAbove(c.getLong("yield-above-commands-per-second"))
        .yieldBatchKeys(c.getInt("yield-batch-keys"))
        .yieldPipelineDepth(c.getInt("yield-pipeline-depth"))
        .loadProbeInterval(c.getDuration("load-probe-interval"))
        .copyLanes(c.getInt("copy-lanes"))
        .copyMaxValueBytes(c.getBytes("copy-max-value-bytes"))
        .copyBatchBytes(c.getBytes("copy-batch-bytes"))
        .build();
    return new GroupMoverSettings(new Credentials(user, password), options);
  }
}
