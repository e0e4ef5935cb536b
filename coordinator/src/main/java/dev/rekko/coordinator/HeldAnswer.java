package dev.rekko.coordinator;

import dev.rekko.coordinator.Coordinator.Command;
import dev.rekko.topology.Topology;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The answer to an operation that wrote something, held until this node's replica shows the write, for at
 * most {@code view-timeout}: the coordinator stays busy meanwhile, so the next operation is checked against
 * a topology that includes this one. Part of {@link CoordinatorActor}'s state; used on its thread only.
 */
final class HeldAnswer {
  /** The replica did not show the write within {@code view-timeout}: answer anyway. */
  record ViewTimedOut() implements Command, NoSerializationVerificationNeeded {}

  private final TimerScheduler<Command> timers;
  private final Duration viewTimeout;
  private Writes.Pending held;

  HeldAnswer(TimerScheduler<Command> timers, Duration viewTimeout) {
    this.timers = timers;
    this.viewTimeout = viewTimeout;
  }

  /** Holds {@code pending} unless {@code topology} shows its write already; answers whether it is held. */
  boolean hold(Writes.Pending pending, Topology topology) {
    if (pending.visible().test(topology)) {
      return false;
    }
    held = pending;
    timers.startSingleTimer(ViewTimedOut.class, new ViewTimedOut(), viewTimeout);
    return true;
  }

  /** The held answer, released now that {@code topology} shows its write; empty if none or not yet. */
  Optional<Writes.Pending> shownIn(Topology topology) {
    return held != null && held.visible().test(topology) ? Optional.of(release()) : Optional.empty();
  }

  /** The held answer, released after the view timed out; empty when it was answered already. */
  Optional<Writes.Pending> timedOut() {
    return held == null ? Optional.empty() : Optional.of(release());
  }

  private Writes.Pending release() {
    Writes.Pending done = held;
    held = null;
    timers.cancel(ViewTimedOut.class);
    return done;
  }
}
