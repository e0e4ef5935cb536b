package dev.rekko.node.config;

import java.time.Duration;

/**
 * {@code rekko.migration}: how a node's data path behaves while slots migrate.
 *
 * @param holdTimeout how long a command may wait while its slot's migration takes its barrier before it is
 *                    answered with an error (the barrier waits for every node, and for the Split Brain
 *                    Resolver to remove an unreachable one)
 * @param keyTimeout  the {@code MIGRATE} timeout when a command's keys are moved before it runs: the
 *                    longest the source may wait for the target at a time
 */
public record MigrationSettings(Duration holdTimeout, Duration keyTimeout) {}
