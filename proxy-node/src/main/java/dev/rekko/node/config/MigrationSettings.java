package dev.rekko.node.config;

import dev.rekko.slots.GroupMoverSettings;
import java.time.Duration;

/**
 * {@code rekko.migration}: how a node's data path and its group movers behave while slots migrate.
 *
 * @param holdTimeout      how long a command may wait while its slot's migration takes its barrier before
 *                         it is answered with an error (the barrier waits for every node, and for the Split
 *                         Brain Resolver to remove an unreachable one); also while a group's master is
 *                         being switched
 * @param maxParallelWalks the group movers' walks this node runs at once (the size of their dispatcher); more
 *                         wait for a thread
 * @param groupMover       what every group mover of this node runs with: the backend credentials and
 *                         {@code rekko.migration.mover}; the data path's own {@code MIGRATE} of a command's
 *                         keys takes its timeouts from the latter, scaled to the size of the biggest key like
 *                         the mover's
 */
public record MigrationSettings(Duration holdTimeout, int maxParallelWalks, GroupMoverSettings groupMover) {}
