package dev.rekko.slots;

import dev.rekko.redis.migrate.Credentials;
import dev.rekko.redis.migrate.ServerMoverSettings;

/**
 * What a {@link GroupMover} needs: the backend credentials (a node's {@code rekko.backend} user and
 * password) and how its walks move keys (a node's {@code rekko.migration.mover}). A node builds it from
 * its configuration at start; this module reads no configuration itself.
 */
public record GroupMoverSettings(Credentials credentials, ServerMoverSettings serverMover) {}
