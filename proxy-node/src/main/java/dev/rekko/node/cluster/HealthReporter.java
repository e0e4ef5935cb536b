package dev.rekko.node.cluster;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.coordinator.ha.HaSettings;
import dev.rekko.redis.health.HealthChecker;
import dev.rekko.redis.health.ServerHealth;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologyReplica;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * This node's eyes on the backend servers ({@code rekko.ha}): a {@link HealthChecker} checks every server of
 * every group of the topology, and the node's view goes to the coordinator singleton as a
 * {@link Coordinator.HealthReport}, which combines every node's into the quorum's. A report leaves on each
 * change the checker sees, at most one per {@code check-interval} (changes in between are coalesced into
 * the next), and every {@code report-interval} whatever happened, so a coordinator that just took over
 * learns everything soon.
 */
public final class HealthReporter {
  public interface Command {}

  /** The topology this node follows: its servers are what is checked. */
  private record Watch(Topology topology) implements Command, NoSerializationVerificationNeeded {}

  /** The checker's view after a change, from its own thread. */
  private record Changed(List<ServerHealth> view) implements Command, NoSerializationVerificationNeeded {}

  /** The delayed send of a coalesced change. */
  private record Flush() implements Command, NoSerializationVerificationNeeded {}

  /** The periodic send of the whole view. */
  private record Periodic() implements Command, NoSerializationVerificationNeeded {}

  private HealthReporter() {}

  /**
   * Supervised: after an exception the checker is closed and a new one starts on the servers last
   * watched. The topology subscription is made once and stays.
   *
   * @param checks      how to check ({@code check-interval}, {@code info-interval}, {@code ping-timeout} and
   *                    the backend credentials)
   * @param coordinator this node's proxy to the coordinator singleton
   */
  public static Behavior<Command> create(HaSettings ha, HealthChecker.Settings checks,
      ActorRef<TopologyReplica.Command> replica, ActorRef<Coordinator.Command> coordinator) {
    return Behaviors.setup(ctx -> {
      replica.tell(new TopologyReplica.Subscribe(ctx.messageAdapter(Topology.class, Watch::new)));
      AtomicReference<Set<String>> watched = new AtomicReference<>(null);
      return Behaviors.supervise(Behaviors.<Command>setup(inner -> Behaviors.withTimers(timers ->
              new State(inner, timers, ha, checks, coordinator, watched).behavior())))
          .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(500), Duration.ofSeconds(30), 0.2));
    });
  }

  /** Every server of every group, by address. */
  static Set<String> servers(Topology topology) {
    Set<String> addrs = new TreeSet<>();
    for (GroupInfo g : topology.groups().values()) {
      for (ServerInfo s : g.servers()) {
        addrs.add(s.addr());
      }
    }
    return addrs;
  }

  private static final class State {
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final HaSettings ha;
    private final ActorRef<Coordinator.Command> coordinator;
    /** Survives restarts: a new checker starts on these at once. Null before the first topology. */
    private final AtomicReference<Set<String>> watched;
    private final String self;
    private final HealthChecker checker;
    private List<ServerHealth> latest;
    private long lastSentNanos;
    private boolean flushPending;

    State(ActorContext<Command> ctx, TimerScheduler<Command> timers, HaSettings ha, HealthChecker.Settings checks,
        ActorRef<Coordinator.Command> coordinator, AtomicReference<Set<String>> watched) {
      this.ctx = ctx;
      this.timers = timers;
      this.ha = ha;
      this.coordinator = coordinator;
      this.watched = watched;
      this.self = Cluster.get(ctx.getSystem()).selfMember().address().toString();
      ActorRef<Command> me = ctx.getSelf();
      // The checker calls back on its own threads: its views come in as messages.
      this.checker = new HealthChecker(checks, view -> me.tell(new Changed(List.copyOf(view))));
      this.lastSentNanos = System.nanoTime() - ha.checkInterval().toNanos();
      Set<String> addrs = watched.get();
      if (addrs != null) {
        checker.watch(addrs);
      }
      timers.startTimerWithFixedDelay(new Periodic(), ha.reportInterval());
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Watch.class, this::onWatch)
          .onMessage(Changed.class, this::onChanged)
          .onMessage(Flush.class, this::onFlush)
          .onMessage(Periodic.class, this::onPeriodic)
          .onSignal(PreRestart.class, s -> close())
          .onSignal(PostStop.class, s -> close())
          .build();
    }

    private Behavior<Command> onWatch(Watch m) {
      Set<String> addrs = servers(m.topology());
      if (!addrs.equals(watched.get())) {
        watched.set(addrs);
        checker.watch(addrs);
      }
      return Behaviors.same();
    }

    private Behavior<Command> onChanged(Changed m) {
      latest = m.view();
      long wait = lastSentNanos + ha.checkInterval().toNanos() - System.nanoTime();
      if (wait <= 0) {
        send(latest);
      } else if (!flushPending) {
        flushPending = true;
        timers.startSingleTimer(new Flush(), Duration.ofNanos(wait));
      }
      return Behaviors.same();
    }

    private Behavior<Command> onFlush(Flush m) {
      flushPending = false;
      if (latest != null) {
        send(latest);
      }
      return Behaviors.same();
    }

    private Behavior<Command> onPeriodic(Periodic m) {
      if (watched.get() != null) {
        latest = checker.snapshot();
        send(latest);
      }
      return Behaviors.same();
    }

    private void send(List<ServerHealth> view) {
      lastSentNanos = System.nanoTime();
      coordinator.tell(new Coordinator.HealthReport(self, view));
    }

    private Behavior<Command> close() {
      checker.close();
      return Behaviors.same();
    }
  }
}
