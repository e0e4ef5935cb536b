package dev.rekko.coordinator;

import dev.rekko.coordinator.Coordinator.AddServer;
import dev.rekko.coordinator.Coordinator.ApplyRebalance;
import dev.rekko.coordinator.Coordinator.CancelPendingMigrations;
import dev.rekko.coordinator.Coordinator.GetMigrations;
import dev.rekko.coordinator.Coordinator.MigrateCount;
import dev.rekko.coordinator.Coordinator.MigrateSlots;
import dev.rekko.coordinator.Coordinator.MigrationsChanged;
import dev.rekko.coordinator.Coordinator.PauseMigrations;
import dev.rekko.coordinator.Coordinator.SlotsChanged;
import dev.rekko.coordinator.Coordinator.ThrottleMigrations;
import dev.rekko.coordinator.Coordinator.AssignSlots;
import dev.rekko.coordinator.Coordinator.Command;
import dev.rekko.coordinator.Coordinator.CreateGroup;
import dev.rekko.coordinator.Coordinator.Failed;
import dev.rekko.coordinator.Coordinator.GroupChanged;
import dev.rekko.coordinator.Coordinator.PlanRebalance;
import dev.rekko.coordinator.Coordinator.Promote;
import dev.rekko.coordinator.Coordinator.RemoveGroup;
import dev.rekko.coordinator.Coordinator.RemoveServer;
import dev.rekko.coordinator.Coordinator.Result;
import dev.rekko.coordinator.Coordinator.SetReplicaRead;
import dev.rekko.coordinator.ha.HaActor;
import dev.rekko.slots.SlotEntity;
import dev.rekko.slots.GroupMover;
import dev.rekko.slots.SlotSharding;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologyReplica;
import dev.rekko.topology.TopologyWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/**
 * The coordinator's behavior (the protocol is {@link Coordinator}); its child {@link HaActor} fails over,
 * switches over ({@code Promote}) and repairs roles, writing only through {@link Coordinator.WriteGroup}.
 *
 * <p>States. Before it is ready the actor runs {@link CoordinatorStartup} (loading the topology, the
 * bootstrap seed; operations get {@code 503}). <b>Idle</b>: an operation is checked against the
 * topology ({@link AdminRules}) and either refused at once or started. <b>Busy</b>: one operation at a
 * time; its Redis calls run on a dispatcher of their own ({@link ServerControl#REDIS_DISPATCHER}), its
 * writes through the {@link TopologyWriter} or the slot actors; other operations wait in the stash. After
 * a write the operation stays busy until this node's replica shows it ({@link HeldAnswer}, at most
 * {@code view-timeout}), so the next operation is checked against a topology that includes it. A step
 * that waited on Redis is checked again against the latest topology before anything is written.
 *
 * <p>Epochs: every write uses {@code max(topology epoch, last epoch used) + 1}, so two writes never share
 * one even when the replica lags behind this actor's own writes.
 */
final class CoordinatorActor {
  private static final int STASH = 1_000;
  private static final Duration VERSIONS_TICK = Duration.ofSeconds(1);
  private static final Duration NUDGE_TICK = Duration.ofSeconds(3);

  record TopologyUpdated(Topology topology) implements Command, NoSerializationVerificationNeeded {}

  private record ServerChecked(AddServer request, String master, ServerInfo server, Throwable error)
      implements Command, NoSerializationVerificationNeeded {}

  private record SlotsAnswered(SlotAsks.Outcome outcome) implements Command, NoSerializationVerificationNeeded {}

  private record Written(Writes.Write write, Throwable error) implements Command, NoSerializationVerificationNeeded {}

  private record LearnVersions() implements Command, NoSerializationVerificationNeeded {}

  private record NudgeMigrations() implements Command, NoSerializationVerificationNeeded {}

  private record VersionsProbed(Map<String, String> versions) implements Command, NoSerializationVerificationNeeded {}

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final StashBuffer<Command> stash;
  private final CoordinatorSettings settings;
  private final TopologyWriter writer;
  private final ActorRef<ShardingEnvelope<SlotEntity.Command>> slots;
  private final MigrationControl migrations;
  private final ServerControl servers;
  private final SlotAsks asks;
  private final VersionLearner versions;
  private final HeldAnswer held;
  /** Failover, switchover and role repair; spawned once ready. */
  private final ActorRef<HaActor.Command> ha;
  private Topology topology;
  private long lastEpoch;

  static Behavior<Command> create(CoordinatorSettings settings, ActorRef<TopologyReplica.Command> replica,
      TopologyWriter writer, ActorRef<ShardingEnvelope<SlotEntity.Command>> slots,
      ActorRef<ShardingEnvelope<GroupMover.Command>> movers) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> Behaviors.withStash(STASH, stash -> {
      ActorRef<Topology> adapter = ctx.messageAdapter(Topology.class, TopologyUpdated::new);
      // After a restart the actor (and so the adapter) may be the same subscriber as before, which the
      // replica would not send the current topology again: unsubscribe first.
      replica.tell(new TopologyReplica.Unsubscribe(adapter));
      replica.tell(new TopologyReplica.Subscribe(adapter));
      return new CoordinatorStartup(ctx, timers, settings, writer, topology ->
          new CoordinatorActor(ctx, timers, stash, settings, writer, slots, movers, topology).ready())
          .notReady("topology not loaded yet");
    })));
  }

  private CoordinatorActor(ActorContext<Command> ctx, TimerScheduler<Command> timers, StashBuffer<Command> stash,
      CoordinatorSettings settings, TopologyWriter writer, ActorRef<ShardingEnvelope<SlotEntity.Command>> slots,
      ActorRef<ShardingEnvelope<GroupMover.Command>> movers, Topology topology) {
    this.ctx = ctx;
    this.topology = topology;
    this.lastEpoch = topology.epoch();
    this.migrations = new MigrationControl(ctx.getSystem(), slots, movers, writer, settings.maxParallelSlots());
    this.timers = timers;
    this.stash = stash;
    this.settings = settings;
    this.writer = writer;
    this.slots = slots;
    var blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(ServerControl.REDIS_DISPATCHER));
    this.servers = new ServerControl(settings, writer, blocking, ctx::getLog);
    this.versions = new VersionLearner(new ServerOps(settings), blocking);
    this.asks = new SlotAsks(ctx.getSystem(), slots, settings.slotAskTimeout());
    this.held = new HeldAnswer(timers, settings.viewTimeout());
    this.ha = ctx.spawn(HaActor.create(settings, ctx.getSelf(), blocking, topology), "ha");
  }

  /** What is handled the same whether idle or busy: the topology, and queries that change nothing. */
  private BehaviorBuilder<Command> always() {
    return Behaviors.receive(Command.class)
        .onMessage(TopologyUpdated.class, this::onTopology)
        .onMessage(Coordinator.HealthReport.class, m -> forward(new HaActor.Report(m)))
        .onMessage(Coordinator.GetHealth.class, m -> forward(new HaActor.Query(m.replyTo())))
        .onMessage(PlanRebalance.class, this::onPlanRebalance)
        .onMessage(GetMigrations.class, m -> reply(m.replyTo(), migrations.view(topology, settings.slotAskTimeout())))
        .onMessage(PauseMigrations.class, m -> reply(m.replyTo(), migrations.pause(m.paused(), topology)))
        .onMessage(ThrottleMigrations.class, m -> reply(m.replyTo(), migrations.throttle(m.maxKeysPerSecond())))
        .onMessage(NudgeMigrations.class, m -> {
          migrations.nudge(topology);
          return Behaviors.same();
        });
  }

  private Behavior<Command> idle() {
    return always()
        .onMessage(CreateGroup.class, this::onCreateGroup)
        .onMessage(RemoveGroup.class, this::onRemoveGroup)
        .onMessage(AddServer.class, this::onAddServer)
        .onMessage(RemoveServer.class, this::onRemoveServer)
        .onMessage(Promote.class, this::onPromote)
        .onMessage(AssignSlots.class, this::onAssignSlots)
        .onMessage(SetReplicaRead.class, this::onSetReplicaRead)
        .onMessage(Coordinator.WriteGroup.class, this::onWriteGroup)
        .onMessage(MigrateSlots.class, m -> migrate(MigrationRules.range(topology, m.from(), m.to(), m.group()),
            "migrating slots " + m.from() + "-" + m.to() + " to group " + m.group(), m.replyTo()))
        .onMessage(MigrateCount.class, m -> migrate(MigrationRules.count(topology, m.count(), m.fromGroup(),
            m.group()), "migrating " + m.count() + " slots of group " + m.fromGroup() + " to group " + m.group(),
            m.replyTo()))
        .onMessage(ApplyRebalance.class, this::onApplyRebalance)
        .onMessage(CancelPendingMigrations.class, this::onCancelPending)
        .onMessage(LearnVersions.class, this::onLearnVersions)
        .onMessage(VersionsProbed.class, m -> {
          versions.learned(m.versions());
          return onLearnVersions(new LearnVersions());
        })
        .build();
  }

  private Behavior<Command> busy() {
    return always()
        .onMessage(ServerChecked.class, this::onServerChecked)
        .onMessage(SlotsAnswered.class, this::onSlotsAnswered)
        .onMessage(Written.class, this::onWritten)
        .onMessage(HeldAnswer.ViewTimedOut.class, this::onViewTimedOut)
        // Ticks wait for idle; a probe's answer is stashed with the operations.
        .onMessage(LearnVersions.class, m -> Behaviors.same())
        .onAnyMessage(m -> {
          if (stash.isFull()) {
            Coordinator.replyTo(m).ifPresent(r -> r.tell(new Failed(503, "coordinator busy: too many waiting")));
          } else {
            stash.stash(m);
          }
          return Behaviors.same();
        })
        .build();
  }

  // ---- Migrations

  private Behavior<Command> migrate(MigrationRules.Checked checked, String what, ActorRef<Result> replyTo) {
    return refuseOr(checked.failure(), replyTo, () -> {
      long epoch = nextEpoch();
      return askSlots(asks.migrate(checked.moves(), migrations.admit(checked.moves(), topology, epoch), epoch, what,
          replyTo));
    });
  }

  private Behavior<Command> onApplyRebalance(ApplyRebalance m) {
    Map<Integer, Integer> moves = MigrationControl.rebalanceMoves(topology);
    return moves.isEmpty() ? reply(m.replyTo(), new SlotsChanged(List.of()))
        : migrate(MigrationRules.check(topology, moves), "rebalancing " + moves.size() + " slots", m.replyTo());
  }

  private Behavior<Command> onCancelPending(CancelPendingMigrations m) {
    List<Integer> pending = MigrationControl.pending(topology);
    return pending.isEmpty() ? reply(m.replyTo(), new MigrationsChanged("no pending migration"))
        : askSlots(asks.cancelMigrations(pending, m.replyTo()));
  }

  // ---- Topology

  private Behavior<Command> onTopology(TopologyUpdated m) {
    topology = m.topology();
    lastEpoch = Math.max(lastEpoch, topology.epoch());
    if (topology.loaded()) {
      migrations.onTopology(topology);
    }
    // Before any held answer is released: the HA actor then knows the write it is answered about.
    ha.tell(new HaActor.TopologyChanged(topology));
    return held.shownIn(topology).map(this::finish).orElseGet(Behaviors::same);
  }

  /**
   * Wakes the slot actors only now, after any seed: the seed writes slots without them, and an actor
   * that had read its (still empty) entry before would hold a stale state.
   */
  private Behavior<Command> ready() {
    ctx.getLog().info("coordinator ready at epoch {}; waking the slot actors", topology.epoch());
    migrations.onTopology(topology);
    SlotSharding.wakeAll(slots);
    timers.startTimerWithFixedDelay(LearnVersions.class, new LearnVersions(), VERSIONS_TICK);
    timers.startTimerWithFixedDelay(NudgeMigrations.class, new NudgeMigrations(), NUDGE_TICK);
    return stash.unstashAll(idle());
  }

  // ---- Operations

  private Behavior<Command> onPlanRebalance(PlanRebalance m) {
    RebalancePlanner.Plan plan = RebalancePlanner.plan(topology);
    if (!plan.note().isEmpty()) {
      ctx.getLog().info("rebalance plan: {}", plan.note());
    }
    m.replyTo().tell(plan.toResult());
    return Behaviors.same();
  }

  private Behavior<Command> onCreateGroup(CreateGroup m) {
    return refuseOr(AdminRules.createGroup(topology, m.id()), m.replyTo(), () -> write(Writes.putGroup(writer,
        new GroupInfo(m.id(), List.of(), false, nextEpoch()), m.replyTo(), "create group " + m.id())));
  }

  private Behavior<Command> onRemoveGroup(RemoveGroup m) {
    return refuseOr(AdminRules.removeGroup(topology, m.id()), m.replyTo(), () ->
        write(Writes.removeGroup(writer, m.id(), nextEpoch(), m.replyTo(), "remove group " + m.id())));
  }

  private Behavior<Command> onSetReplicaRead(SetReplicaRead m) {
    return refuseOr(AdminRules.groupExists(topology, m.group()), m.replyTo(), () -> {
      GroupInfo group = topology.group(m.group()).orElseThrow();
      if (group.replicaRead() == m.enabled()) {
        return finish(m.replyTo(), new GroupChanged(group));
      }
      GroupInfo next = new GroupInfo(group.id(), group.servers(), m.enabled(), nextEpoch(), group.switching(),
          group.lastFailover());
      return write(Writes.putGroup(writer, next, m.replyTo(), "set replica-read of group " + m.group()));
    });
  }

  private Behavior<Command> onAddServer(AddServer m) {
    return refuseOr(AdminRules.addServer(topology, m.group(), m.addr()), m.replyTo(), () -> {
      String master = ServerControl.masterOf(topology, m.group());
      ctx.pipeToSelf(servers.check(m, master), (s, e) -> new ServerChecked(m, master, s, e));
      return busy();
    });
  }

  private Behavior<Command> onServerChecked(ServerChecked m) {
    AddServer r = m.request();
    return finishOr(servers.refuseChecked(topology, r, m.master(), m.error()), r.replyTo(), () ->
        write(servers.add(topology, r, m.server(), nextEpoch())));
  }

  private Behavior<Command> onRemoveServer(RemoveServer m) {
    return refuseOr(AdminRules.removeServer(topology, m.group(), m.addr()), m.replyTo(), () ->
        write(servers.remove(topology, m, nextEpoch())));
  }

  private Behavior<Command> onPromote(Promote m) {
    return refuseOr(AdminRules.promote(topology, m.group(), m.addr()), m.replyTo(), () ->
        forward(new HaActor.Switchover(m)));
  }

  private Behavior<Command> onWriteGroup(Coordinator.WriteGroup m) {
    return refuseOr(AdminRules.groupAt(topology, m.next().id(), m.expectedEpoch()), m.replyTo(), () ->
        write(Writes.putGroup(writer, m.next().withEpoch(nextEpoch()), m.replyTo(), m.what())));
  }

  private Behavior<Command> onAssignSlots(AssignSlots m) {
    return refuseOr(AdminRules.assignSlots(topology, m.from(), m.to(), m.group()), m.replyTo(), () ->
        askSlots(asks.assign(m, nextEpoch())));
  }

  /** The coordinator is busy until every slot answered, and then until the replica shows what they wrote. */
  private Behavior<Command> askSlots(CompletionStage<SlotAsks.Outcome> outcome) {
    ctx.pipeToSelf(outcome, (o, e) -> new SlotsAnswered(o));
    return busy();
  }

  private Behavior<Command> onSlotsAnswered(SlotsAnswered m) {
    SlotAsks.Outcome o = m.outcome();
    lastEpoch = Math.max(lastEpoch, o.maxEpoch());
    return await(new Writes.Pending(o.visible(), o.result(), o.replyTo()));
  }

  /** Writes what was learned of servers' Redis versions, one group per tick, or probes for more. */
  private Behavior<Command> onLearnVersions(LearnVersions m) {
    Optional<GroupInfo> learned = versions.nextGroup(topology);
    if (learned.isPresent()) {
      GroupInfo next = learned.get().withEpoch(nextEpoch());
      ctx.getLog().info("group {}: learned its servers' Redis versions", next.id());
      return write(Writes.putGroup(writer, next, ctx.getSystem().<Result>ignoreRef(), "learn Redis versions"));
    }
    versions.probe(topology, System.nanoTime()).ifPresent(probe ->
        ctx.pipeToSelf(probe, (found, e) -> new VersionsProbed(found)));
    return Behaviors.same();
  }

  // ---- Steps

  private Behavior<Command> forward(HaActor.Command m) {
    ha.tell(m);
    return Behaviors.same();
  }

  /** Answers without a change of state: a refusal, or a query that works even while busy. */
  private Behavior<Command> reply(ActorRef<Result> replyTo, Result result) {
    replyTo.tell(result);
    return Behaviors.same();
  }

  private Behavior<Command> reply(ActorRef<Result> replyTo, CompletionStage<? extends Result> result) {
    result.thenAccept(replyTo::tell);
    return Behaviors.same();
  }

  private Behavior<Command> refuseOr(Optional<Failed> refused, ActorRef<Result> replyTo,
      Supplier<Behavior<Command>> go) {
    return refused.isPresent() ? reply(replyTo, refused.get()) : go.get();
  }

  /** {@link #refuseOr} for a later step of an operation: a refusal ends it. */
  private Behavior<Command> finishOr(Optional<Failed> refused, ActorRef<Result> replyTo,
      Supplier<Behavior<Command>> go) {
    return refused.isPresent() ? finish(replyTo, refused.get()) : go.get();
  }

  private long nextEpoch() {
    lastEpoch = Math.max(topology.epoch(), lastEpoch) + 1;
    return lastEpoch;
  }

  private Behavior<Command> write(Writes.Write write) {
    ctx.pipeToSelf(write.stage(), (d, e) -> new Written(write, e));
    return busy();
  }

  private Behavior<Command> onWritten(Written m) {
    return await(m.error() == null ? m.write().pending() : Writes.failed(m.write(), m.error()));
  }

  private Behavior<Command> await(Writes.Pending pending) {
    return held.hold(pending, topology) ? busy() : finish(pending);
  }

  private Behavior<Command> onViewTimedOut(HeldAnswer.ViewTimedOut m) {
    return held.timedOut().map(pending -> {
      ctx.getLog().warn("this node's replica does not show the last write after {}; answering anyway",
          settings.viewTimeout());
      return finish(pending);
    }).orElseGet(Behaviors::same);
  }

  private Behavior<Command> finish(Writes.Pending pending) {
    return finish(pending.replyTo(), pending.result());
  }

  private Behavior<Command> finish(ActorRef<Result> replyTo, Result result) {
    replyTo.tell(result);
    return stash.unstashAll(idle());
  }
}
