package dev.rekko.node.config;

import dev.rekko.redis.migrate.ServerMoverSettings;
import java.time.Duration;

/**
 * {@code rekko.migration}: how a node's data path and its movers behave while slots migrate.
 *
 * @param holdTimeout      how long a command may wait while its slot's migration takes its barrier before
 *                         it is answered with an error (the barrier waits for every node, and for the Split
 *                         Brain Resolver to remove an unreachable one)
 * @param maxParallelWalks the movers' walks this node runs at once (the size of their dispatcher); more
 *                         wait for a thread
 * @param moves            the movers' options ({@code rekko.migration.mover}); the data path's own
 *                         {@code MIGRATE} of a command's keys takes its timeouts from them, scaled to the
 *                         size of the biggest key like the mover's
 */
public record MigrationSettings(Duration holdTimeout, int maxParallelWalks, ServerMoverSettings moves) {}
