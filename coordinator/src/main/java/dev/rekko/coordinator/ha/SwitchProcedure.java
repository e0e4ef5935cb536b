package dev.rekko.coordinator.ha;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.coordinator.Coordinator.Failed;
import dev.rekko.coordinator.Coordinator.GroupChanged;
import dev.rekko.coordinator.Coordinator.Result;
import dev.rekko.slots.Barrier;
import dev.rekko.topology.FailoverInfo;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.ServerRole;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One change of a group's master, as a child of {@link HaActor}: (1) hold the group ({@code switching},
 * written through the coordinator), (2) ask every node's agent to confirm the hold ({@link
 * Barrier.GroupRequest}), (3) switch Redis on the coordinator's Redis dispatcher ({@link RedisSwitch}),
 * (4) publish the new master with the hold lifted. An abort after (1) lifts the hold. Answers the
 * operator's {@code Promote}, if any, and tells the parent {@link HaActor.Ended}; then stops.
 */
final class SwitchProcedure {
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final int ATTEMPTS = 5;

  interface Command {}

  /** The group as this node's replica shows it now. */
  record Latest(GroupInfo group) implements Command, NoSerializationVerificationNeeded {}

  private record Wrote(Result result, Throwable error) implements Command, NoSerializationVerificationNeeded {}

  private record Held(Barrier.GroupHeld held) implements Command, NoSerializationVerificationNeeded {}

  private record AgentsTimedOut() implements Command, NoSerializationVerificationNeeded {}

  private record AskAgents() implements Command, NoSerializationVerificationNeeded {}

  private record Switched(RedisSwitch.Outcome outcome, Throwable error)
      implements Command, NoSerializationVerificationNeeded {}

  private record Retry() implements Command, NoSerializationVerificationNeeded {}

  /**
   * What to do; {@code kind} is {@code failover} or {@code switchover}.
   *
   * @param drain     whether the agents must also drain what they sent to the old master
   * @param agentWait how long to wait for the agents; a switchover gives up after it, a failover goes on
   * @param agents    each Up member's agent, by member address: members without one are not waited for
   * @param redis     step (3): the new master and who could not follow it
   * @param replyTo   the operator's, or an ignoring ref
   */
  record Plan(GroupInfo group, String kind, String reason, String oldMaster, boolean drain, Duration agentWait,
      Map<String, ActorRef<Barrier.GroupRequest>> agents, Supplier<RedisSwitch.Outcome> redis,
      ActorRef<Result> replyTo) {}

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final Plan plan;
  private final ActorRef<Coordinator.Command> coordinator;
  private final ActorRef<HaActor.Command> parent;
  private final Executor blocking;
  private final Duration writeTimeout;
  private final long startNanos = System.nanoTime();
  private final Set<String> answered = new HashSet<>();
  private GroupInfo latest;
  private long heldEpoch;
  private int attempts;

  static Behavior<Command> create(Plan plan, ActorRef<Coordinator.Command> coordinator,
      ActorRef<HaActor.Command> parent, Executor blocking, Duration writeTimeout) {
    // Every line of a failover or switchover names its group (MDC, for JSON logs).
    return Behaviors.withMdc(Command.class, Map.of("group", Integer.toString(plan.group().id())),
        Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
            new SwitchProcedure(ctx, timers, plan, coordinator, parent, blocking, writeTimeout).hold())));
  }

  private SwitchProcedure(ActorContext<Command> ctx, TimerScheduler<Command> timers, Plan plan,
      ActorRef<Coordinator.Command> coordinator, ActorRef<HaActor.Command> parent, Executor blocking,
      Duration writeTimeout) {
    this.ctx = ctx;
    this.timers = timers;
    this.plan = plan;
    this.coordinator = coordinator;
    this.parent = parent;
    this.blocking = blocking;
    this.writeTimeout = writeTimeout;
    this.latest = plan.group();
  }

  // (1) hold

  private Behavior<Command> hold() {
    String what = "hold group " + latest.id() + " for a " + plan.kind();
    write(latest.withSwitching(true, latest.epoch()), what);
    return Behaviors.receive(Command.class)
        .onMessage(Latest.class, this::onLatest)
        .onMessage(Wrote.class, m -> {
          if (m.result() instanceof GroupChanged c) {
            latest = c.group();
            heldEpoch = c.group().epoch();
            return askAgents();
          }
          if (m.result() instanceof Failed f && f.status() == 409 && ++attempts < ATTEMPTS) {
            // Another write of the group came first: hold the group as it is now.
            timers.startSingleTimer(new Retry(), Duration.ofMillis(200));
            return Behaviors.same();
          }
          // Nothing to lift: a 503 may have been applied still, which the parent lifts once it sees it.
          return end(false, failure(m, "holding the group"), null, null);
        })
        .onMessage(Retry.class, m -> {
          write(latest.withSwitching(true, latest.epoch()), what);
          return Behaviors.same();
        })
        .build();
  }

  // (2) agents

  private Behavior<Command> askAgents() {
    ctx.getLog().info("group {}: held at epoch {} for a {}; asking {} node(s) to confirm{}", latest.id(),
        heldEpoch, plan.kind(), plan.agents().size(), plan.drain() ? " and drain" : "");
    timers.startSingleTimer(AgentsTimedOut.class, new AgentsTimedOut(), plan.agentWait());
    timers.startTimerWithFixedDelay(AskAgents.class, new AskAgents(), RETRY);
    sendRequests();
    return agentsWait();
  }

  private Behavior<Command> agentsWait() {
    if (answered.containsAll(plan.agents().keySet())) {
      timers.cancel(AgentsTimedOut.class);
      timers.cancel(AskAgents.class);
      return switchRedis();
    }
    return Behaviors.receive(Command.class)
        .onMessage(Latest.class, this::onLatest)
        .onMessage(Held.class, m -> {
          if (m.held().group() == latest.id() && m.held().epoch() == heldEpoch) {
            answered.add(m.held().node());
          }
          return agentsWait();
        })
        .onMessage(AskAgents.class, m -> {
          sendRequests();
          return Behaviors.same();
        })
        .onMessage(AgentsTimedOut.class, m -> {
          timers.cancel(AskAgents.class);
          List<String> missing = plan.agents().keySet().stream().filter(n -> !answered.contains(n)).sorted().toList();
          if (plan.drain()) {
            return release(new Failed(503, "nodes " + missing + " did not confirm the hold of group " + latest.id()
                + " within " + plan.agentWait() + "; nothing was switched, retry the promote"), null);
          }
          // The master is dead: the hold only turns errors into a pause, so do not wait for slow nodes.
          ctx.getLog().warn("group {}: nodes {} did not confirm the hold within {}; failing over anyway",
              latest.id(), missing, plan.agentWait());
          return switchRedis();
        })
        .build();
  }

  private void sendRequests() {
    ActorRef<Barrier.GroupHeld> replyTo = ctx.messageAdapter(Barrier.GroupHeld.class, Held::new);
    plan.agents().forEach((node, agent) -> {
      if (!answered.contains(node)) {
        agent.tell(new Barrier.GroupRequest(latest.id(), heldEpoch, plan.oldMaster(), plan.drain(), replyTo));
      }
    });
  }

  // (3) Redis

  private Behavior<Command> switchRedis() {
    ctx.pipeToSelf(CompletableFuture.supplyAsync(plan.redis(), blocking), Switched::new);
    return Behaviors.receive(Command.class)
        .onMessage(Latest.class, this::onLatest)
        .onMessage(Switched.class, m -> {
          if (m.error() == null) {
            return publish(m.outcome());
          }
          Throwable e = m.error() instanceof CompletionException c && c.getCause() != null ? c.getCause() : m.error();
          if (e instanceof RedisSwitch.Abort a) {
            return release(new Failed(a.status, a.getMessage()), a);
          }
          return release(new Failed(503, plan.kind() + " of group " + latest.id() + " failed: " + e), null);
        })
        .build();
  }

  // (4) publish

  private Behavior<Command> publish(RedisSwitch.Outcome outcome) {
    if (latest.server(outcome.chosen()).isEmpty()) {
      return release(new Failed(409, outcome.chosen() + " was made a master in Redis, but it left group "
          + latest.id() + " meanwhile"), null);
    }
    String reason = plan.reason() + (outcome.note().isEmpty() ? "" : "; " + outcome.note());
    FailoverInfo info = new FailoverInfo(plan.kind(), reason, plan.oldMaster(), outcome.chosen(),
        System.currentTimeMillis(), Duration.ofNanos(System.nanoTime() - startNanos).toMillis());
    attempts = 0;
    writeSwitched(outcome, info);
    return Behaviors.receive(Command.class)
        .onMessage(Latest.class, this::onLatest)
        .onMessage(Wrote.class, m -> {
          if (m.result() instanceof GroupChanged c) {
            return end(true, c, outcome, null);
          }
          ctx.getLog().warn("group {}: publishing {} as master failed ({}); retrying", latest.id(), outcome.chosen(),
              failure(m, "publishing").message());
          timers.startSingleTimer(new Retry(), RETRY);
          return Behaviors.same();
        })
        .onMessage(Retry.class, m -> {
          if (latest.master().map(s -> s.addr().equals(outcome.chosen())).orElse(false) && !latest.switching()) {
            return end(true, new GroupChanged(latest), outcome, null);
          }
          if (++attempts >= ATTEMPTS * 4) {
            return end(false, new Failed(503, "Redis switched group " + latest.id() + " to " + outcome.chosen()
                + " but the topology could not be written; role repair and a later failover check will follow"),
                outcome, null);
          }
          writeSwitched(outcome, info);
          return Behaviors.same();
        })
        .build();
  }

  /** The latest group with the chosen server as its master (first), every other one a replica, hold lifted. */
  private void writeSwitched(RedisSwitch.Outcome outcome, FailoverInfo info) {
    String chosen = outcome.chosen();
    List<ServerInfo> servers = new ArrayList<>();
    servers.add(latest.server(chosen).orElseThrow().withRole(ServerRole.MASTER));
    latest.servers().stream().filter(s -> !s.addr().equals(chosen))
        .forEach(s -> servers.add(s.withRole(ServerRole.REPLICA)));
    write(new GroupInfo(latest.id(), servers, latest.replicaRead(), latest.epoch(), false, info),
        plan.kind() + " of group " + latest.id() + " to " + chosen);
  }

  private Behavior<Command> release(Failed why, RedisSwitch.Abort abort) {
    ctx.getLog().warn("group {}: {} aborted ({}); lifting the hold", latest.id(), plan.kind(), why.message());
    attempts = 0;
    write(latest.withSwitching(false, latest.epoch()), "lift the hold of group " + latest.id());
    return Behaviors.receive(Command.class)
        .onMessage(Latest.class, this::onLatest)
        .onMessage(Wrote.class, m -> {
          if (m.result() instanceof GroupChanged || ++attempts >= ATTEMPTS) {
            return end(false, why, null, abort);
          }
          timers.startSingleTimer(new Retry(), RETRY);
          return Behaviors.same();
        })
        .onMessage(Retry.class, m -> {
          if (!latest.switching()) {
            return end(false, why, null, abort);
          }
          write(latest.withSwitching(false, latest.epoch()), "lift the hold of group " + latest.id());
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onLatest(Latest m) {
    if (m.group() != null && m.group().epoch() >= latest.epoch()) {
      latest = m.group();
    }
    return Behaviors.same();
  }

  private void write(GroupInfo next, String what) {
    long expected = latest.epoch();
    ctx.ask(Result.class, coordinator, writeTimeout, r -> new Coordinator.WriteGroup(next, expected, what, r),
        Wrote::new);
  }

  private Behavior<Command> end(boolean ok, Result answer, RedisSwitch.Outcome outcome, RedisSwitch.Abort abort) {
    plan.replyTo().tell(answer);
    parent.tell(new HaActor.Ended(latest.id(), plan.kind(), ok, answer, outcome, abort,
        Duration.ofNanos(System.nanoTime() - startNanos)));
    return Behaviors.stopped();
  }

  private static Failed failure(Wrote m, String what) {
    return m.result() instanceof Failed f ? f
        : new Failed(503, what + " failed: " + (m.error() == null ? m.result() : m.error().toString()));
  }
}
