package dev.rekko.coordinator;

import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologySeed;
import java.util.Optional;
import org.slf4j.Logger;

/** Whether the coordinator seeds the cluster from its configured groups: only a new, empty one, once. */
final class Bootstrap {
  private Bootstrap() {}

  /** The seed to write now, if any; says in the log why not when groups are configured but not used. */
  static Optional<TopologySeed.Plan> seedPlan(CoordinatorSettings settings, Topology topology, Logger log) {
    if (settings.seedGroups().isEmpty() || topology.bootstrapped()) {
      return Optional.empty();
    }
    TopologySeed.Plan plan;
    try {
      plan = TopologySeed.plan(settings.seedGroups());
    } catch (IllegalArgumentException e) {
      log.error("not seeding: the configured seed groups are invalid: {}", e.getMessage());
      return Optional.empty();
    }
    if (!TopologySeed.canSeed(topology, plan)) {
      log.warn("not seeding: the cluster was never bootstrapped but already holds other groups or slots");
      return Optional.empty();
    }
    return Optional.of(plan);
  }
}
