package dev.rekko.coordinator;

import dev.rekko.coordinator.Coordinator.Command;
import dev.rekko.coordinator.Coordinator.Failed;
import dev.rekko.coordinator.CoordinatorActor.TopologyUpdated;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologySeed;
import dev.rekko.topology.TopologyWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The coordinator until it is ready: not ready until this node's replica has loaded the topology, and
 * while the bootstrap seed is written. Every operation is answered {@code 503} at once rather than held,
 * so callers (the HTTP API) can say "try again" instead of timing out. Once the replica shows the seed,
 * or there was nothing to seed, it becomes {@link CoordinatorActor}'s ready behavior, in the same actor.
 */
final class CoordinatorStartup {
  private static final Duration SEED_RETRY = Duration.ofSeconds(2);

  private record SeedWritten(Throwable error) implements Command, NoSerializationVerificationNeeded {}

  private record RetrySeed() implements Command, NoSerializationVerificationNeeded {}

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final CoordinatorSettings settings;
  private final TopologyWriter writer;
  private final Function<Topology, Behavior<Command>> ready;
  private Topology topology = Topology.EMPTY;
  private boolean seeded;

  CoordinatorStartup(ActorContext<Command> ctx, TimerScheduler<Command> timers, CoordinatorSettings settings,
      TopologyWriter writer, Function<Topology, Behavior<Command>> ready) {
    this.ctx = ctx;
    this.timers = timers;
    this.settings = settings;
    this.writer = writer;
    this.ready = ready;
  }

  Behavior<Command> notReady(String reason) {
    return Behaviors.receive(Command.class)
        .onMessage(TopologyUpdated.class, this::onTopology)
        .onMessage(SeedWritten.class, this::onSeedWritten)
        .onMessage(RetrySeed.class, m -> seed())
        .onAnyMessage(m -> {
          Coordinator.replyTo(m).ifPresent(r -> r.tell(new Failed(503, reason)));
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onTopology(TopologyUpdated m) {
    boolean first = !topology.loaded();
    topology = m.topology();
    if (!topology.loaded()) {
      return Behaviors.same();
    }
    if (first) {
      ctx.getLog().info("coordinator started at epoch {}", topology.epoch());
      return seed();
    }
    // Ready only once the replica shows the seed, so that the first operations are checked against it.
    return seeded && topology.bootstrapped() ? ready.apply(topology) : Behaviors.same();
  }

  /** Seeds a new cluster from the configured groups, once; anything else means ready. */
  private Behavior<Command> seed() {
    Optional<TopologySeed.Plan> plan = Bootstrap.seedPlan(settings, topology, ctx.getLog());
    if (plan.isEmpty()) {
      return ready.apply(topology);
    }
    ctx.getLog().info("seeding a new cluster with groups {}", settings.seedGroups());
    ctx.pipeToSelf(TopologySeed.write(writer, plan.get()), (d, e) -> new SeedWritten(e));
    return notReady("seeding the topology");
  }

  private Behavior<Command> onSeedWritten(SeedWritten m) {
    if (m.error() != null) {
      ctx.getLog().warn("seeding failed ({}); retrying in {}", Writes.unwrap(m.error()).toString(), SEED_RETRY);
      timers.startSingleTimer(new RetrySeed(), SEED_RETRY);
      return Behaviors.same();
    }
    ctx.getLog().info("seeded: {} groups, all slots online", settings.seedGroups().size());
    seeded = true;
    return topology.bootstrapped() ? ready.apply(topology) : Behaviors.same();
  }
}
