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
import dev.rekko.slots.SlotEntity;
import dev.rekko.slots.SourceMover;
import dev.rekko.slots.SlotSharding;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologyReplica;
import dev.rekko.topology.TopologySeed;
import dev.rekko.topology.TopologyWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/**
 * The coordinator's behavior (the protocol is {@link Coordinator}).
 *
 * <p>States. <b>Not ready</b> until this node's replica has loaded the topology, and while the bootstrap
 * seed is written: every operation is answered {@code 503} at once rather than held, so callers (the
 * HTTP API) can say "try again" instead of timing out. <b>Idle</b>: an operation is checked against the
 * topology ({@link AdminRules}) and either refused at once or started. <b>Busy</b>: one operation at a
 * time; its Redis calls run on the blocking dispatcher ({@link ServerOps}), its writes through the
 * {@link TopologyWriter} or the slot actors; other operations wait in the stash. After a write the
 * operation stays busy until this node's replica shows it (at most {@code view-timeout}), so the next
 * operation is checked against a topology that includes it. A step that waited on Redis is checked again
 * against the latest topology before anything is written.
 *
 * <p>Epochs: every write uses {@code max(topology epoch, last epoch used) + 1}, so two writes never share
 * one even when the replica lags behind this actor's own writes.
 */
final class CoordinatorActor {
  private static final int STASH = 1_000;
  private static final Duration SEED_RETRY = Duration.ofSeconds(2);

  private record TopologyUpdated(Topology topology) implements Command, NoSerializationVerificationNeeded {}

  private record SeedWritten(Throwable error) implements Command, NoSerializationVerificationNeeded {}

  private record RetrySeed() implements Command, NoSerializationVerificationNeeded {}

  private record ServerChecked(AddServer request, String master, ServerInfo server, Throwable error)
      implements Command, NoSerializationVerificationNeeded {}

  private record Promoted(Promote request, List<String> skipped, Throwable error)
      implements Command, NoSerializationVerificationNeeded {}

  private record SlotsAnswered(SlotAsks.Request request, List<SlotEntity.Reply> replies)
      implements Command, NoSerializationVerificationNeeded {}

  private record Written(Writes.Write write, Throwable error) implements Command, NoSerializationVerificationNeeded {}

  private record ViewTimedOut() implements Command, NoSerializationVerificationNeeded {}

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final StashBuffer<Command> stash;
  private final CoordinatorSettings settings;
  private final TopologyWriter writer;
  private final ActorRef<ShardingEnvelope<SlotEntity.Command>> slots;
  private final MigrationControl migrations;
  private final ServerOps servers;
  private final Executor blocking;
  private Topology topology = Topology.EMPTY;
  private long lastEpoch;
  /** The answer held until the replica shows the write it follows. */
  private Writes.Pending awaiting;
  private boolean seeded;

  static Behavior<Command> create(CoordinatorSettings settings, ActorRef<TopologyReplica.Command> replica,
      TopologyWriter writer, ActorRef<ShardingEnvelope<SlotEntity.Command>> slots,
      ActorRef<ShardingEnvelope<SourceMover.Command>> movers) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> Behaviors.withStash(STASH, stash -> {
      ActorRef<Topology> adapter = ctx.messageAdapter(Topology.class, TopologyUpdated::new);
      // After a restart the actor (and so the adapter) may be the same subscriber as before, which the
      // replica would not send the current topology again: unsubscribe first.
      replica.tell(new TopologyReplica.Unsubscribe(adapter));
      replica.tell(new TopologyReplica.Subscribe(adapter));
      return new CoordinatorActor(ctx, timers, stash, settings, writer, slots, movers).notReady("topology not loaded yet");
    })));
  }

  private CoordinatorActor(ActorContext<Command> ctx, TimerScheduler<Command> timers, StashBuffer<Command> stash,
      CoordinatorSettings settings, TopologyWriter writer, ActorRef<ShardingEnvelope<SlotEntity.Command>> slots,
      ActorRef<ShardingEnvelope<SourceMover.Command>> movers) {
    this.ctx = ctx;
    this.migrations = new MigrationControl(ctx.getSystem(), slots, movers, settings.maxParallelSlots());
    this.timers = timers;
    this.stash = stash;
    this.settings = settings;
    this.writer = writer;
    this.slots = slots;
    this.servers = new ServerOps(settings);
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
  }

  private Behavior<Command> notReady(String reason) {
    return Behaviors.receive(Command.class)
        .onMessage(TopologyUpdated.class, this::onTopologyNotReady)
        .onMessage(SeedWritten.class, this::onSeedWritten)
        .onMessage(RetrySeed.class, m -> seed())
        .onAnyMessage(m -> {
          Coordinator.replyTo(m).ifPresent(r -> r.tell(new Failed(503, reason)));
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> idle() {
    return Behaviors.receive(Command.class)
        .onMessage(TopologyUpdated.class, this::onTopology)
        .onMessage(PlanRebalance.class, this::onPlanRebalance)
        .onMessage(CreateGroup.class, this::onCreateGroup)
        .onMessage(RemoveGroup.class, this::onRemoveGroup)
        .onMessage(AddServer.class, this::onAddServer)
        .onMessage(RemoveServer.class, this::onRemoveServer)
        .onMessage(Promote.class, this::onPromote)
        .onMessage(AssignSlots.class, this::onAssignSlots)
        .onMessage(SetReplicaRead.class, this::onSetReplicaRead)
        .onMessage(MigrateSlots.class, m -> migrate(MigrationRules.range(topology, m.from(), m.to(), m.group()),
            "migrating slots " + m.from() + "-" + m.to() + " to group " + m.group(), m.replyTo()))
        .onMessage(MigrateCount.class, m -> migrate(MigrationRules.count(topology, m.count(), m.fromGroup(),
            m.group()), "migrating " + m.count() + " slots of group " + m.fromGroup() + " to group " + m.group(),
            m.replyTo()))
        .onMessage(ApplyRebalance.class, this::onApplyRebalance)
        .onMessage(CancelPendingMigrations.class, this::onCancelPending)
        .onMessage(GetMigrations.class, m -> reply(m.replyTo(), migrations.view(topology, settings.slotAskTimeout())))
        .onMessage(PauseMigrations.class, m -> reply(m.replyTo(), migrations.pause(m.paused(), topology)))
        .onMessage(ThrottleMigrations.class, m -> reply(m.replyTo(), migrations.throttle(m.maxKeysPerSecond())))
        .build();
  }

  private Behavior<Command> busy() {
    return Behaviors.receive(Command.class)
        .onMessage(TopologyUpdated.class, this::onTopology)
        .onMessage(PlanRebalance.class, this::onPlanRebalance)
        .onMessage(ServerChecked.class, this::onServerChecked)
        .onMessage(Promoted.class, this::onPromoted)
        .onMessage(SlotsAnswered.class, this::onSlotsAnswered)
        .onMessage(Written.class, this::onWritten)
        .onMessage(ViewTimedOut.class, this::onViewTimedOut)
        .onMessage(GetMigrations.class, m -> reply(m.replyTo(), migrations.view(topology, settings.slotAskTimeout())))
        .onMessage(PauseMigrations.class, m -> reply(m.replyTo(), migrations.pause(m.paused(), topology)))
        .onMessage(ThrottleMigrations.class, m -> reply(m.replyTo(), migrations.throttle(m.maxKeysPerSecond())))
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

  /** Answers at once (or when the answer is ready, off this actor): these work even while busy. */
  private Behavior<Command> reply(ActorRef<Result> replyTo, Result result) {
    replyTo.tell(result);
    return Behaviors.same();
  }

  private Behavior<Command> reply(ActorRef<Result> replyTo, java.util.concurrent.CompletionStage<? extends Result> result) {
    result.thenAccept(replyTo::tell);
    return Behaviors.same();
  }

  private Behavior<Command> migrate(MigrationRules.Checked checked, String what, ActorRef<Result> replyTo) {
    if (checked.failure().isPresent()) {
      replyTo.tell(checked.failure().get());
      return Behaviors.same();
    }
    long epoch = nextEpoch();
    var moves = checked.moves();
    return askSlots(new SlotAsks.Request(what, "are pending", List.copyOf(moves.keySet()), replyTo),
        (slot, r) -> new SlotEntity.Migrate(moves.get(slot), epoch, r));
  }

  private Behavior<Command> onApplyRebalance(ApplyRebalance m) {
    Map<Integer, Integer> moves = MigrationControl.rebalanceMoves(topology);
    if (moves.isEmpty()) {
      m.replyTo().tell(new SlotsChanged(List.of()));
      return Behaviors.same();
    }
    return migrate(MigrationRules.check(topology, moves), "rebalancing " + moves.size() + " slots", m.replyTo());
  }

  private Behavior<Command> onCancelPending(CancelPendingMigrations m) {
    List<Integer> pending = MigrationControl.pending(topology);
    if (pending.isEmpty()) {
      m.replyTo().tell(new MigrationsChanged("no pending migration"));
      return Behaviors.same();
    }
    return askSlots(new SlotAsks.Request("cancelling " + pending.size() + " pending migrations", "were cancelled",
        pending, m.replyTo()), (slot, r) -> new SlotEntity.CancelMigration(r));
  }

  // ---- Topology and bootstrap

  private Behavior<Command> onTopology(TopologyUpdated m) {
    topology = m.topology();
    lastEpoch = Math.max(lastEpoch, topology.epoch());
    if (topology.loaded()) {
      migrations.onTopology(topology);
    }
    if (awaiting != null && awaiting.visible().test(topology)) {
      return answer();
    }
    return Behaviors.same();
  }

  private Behavior<Command> onTopologyNotReady(TopologyUpdated m) {
    boolean first = !topology.loaded();
    onTopology(m);
    if (!topology.loaded()) {
      return Behaviors.same();
    }
    if (first) {
      ctx.getLog().info("coordinator started at epoch {}", topology.epoch());
      return seed();
    }
    // Ready only once the replica shows the seed, so that the first operations are checked against it.
    return seeded && topology.bootstrapped() ? ready() : Behaviors.same();
  }

  /** Seeds a new cluster from the configured groups, once; anything else means ready. */
  private Behavior<Command> seed() {
    Optional<TopologySeed.Plan> plan = Bootstrap.seedPlan(settings, topology, ctx.getLog());
    if (plan.isEmpty()) {
      return ready();
    }
    ctx.getLog().info("seeding a new cluster with groups {}", settings.seedGroups());
    lastEpoch = Math.max(lastEpoch, TopologySeed.EPOCH);
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
    return topology.bootstrapped() ? ready() : Behaviors.same();
  }

  /**
   * Wakes the slot actors only now, after any seed: the seed writes slots without them, and an actor
   * that had read its (still empty) entry before would hold a stale state.
   */
  private Behavior<Command> ready() {
    ctx.getLog().info("coordinator ready at epoch {}; waking the slot actors", topology.epoch());
    SlotSharding.wakeAll(slots);
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
    return refuseOr(AdminRules.createGroup(topology, m.id()), m.replyTo(), () -> {
      long epoch = nextEpoch();
      GroupInfo group = new GroupInfo(m.id(), List.of(), false, epoch);
      return write(Writes.putGroup(writer, group, m.replyTo(), "create group " + m.id()));
    });
  }

  private Behavior<Command> onRemoveGroup(RemoveGroup m) {
    return refuseOr(AdminRules.removeGroup(topology, m.id()), m.replyTo(), () ->
        write(Writes.removeGroup(writer, m.id(), nextEpoch(), m.replyTo(), "remove group " + m.id())));
  }

  private Behavior<Command> onAddServer(AddServer m) {
    return refuseOr(AdminRules.addServer(topology, m.group(), m.addr()), m.replyTo(), () -> {
      String master = topology.group(m.group()).flatMap(GroupInfo::master).map(ServerInfo::addr).orElse("");
      String dc = m.datacenter() == null ? "" : m.datacenter();
      runBlocking(() -> servers.prepare(m.addr(), dc, master), (s, e) -> new ServerChecked(m, master, s, e));
      return busy();
    });
  }

  private Behavior<Command> onServerChecked(ServerChecked m) {
    AddServer r = m.request();
    if (m.error() != null) {
      return finish(r.replyTo(), failure(m.error(), "add server " + r.addr()));
    }
    Optional<Failed> refused = AdminRules.addServer(topology, r.group(), r.addr());
    String master = topology.group(r.group()).flatMap(GroupInfo::master).map(ServerInfo::addr).orElse("");
    if (refused.isEmpty() && !master.equals(m.master())) {
      refused = Optional.of(new Failed(409, "the master of group " + r.group() + " changed while " + r.addr()
          + " was checked; retry"));
    }
    if (refused.isPresent()) {
      return finish(r.replyTo(), refused.get());
    }
    GroupInfo group = topology.group(r.group()).orElseThrow();
    ctx.getLog().info("group {}: adding {} as {}", r.group(), r.addr(), m.server().role());
    return write(Writes.putGroup(writer, GroupEdits.withServer(group, m.server(), nextEpoch()), r.replyTo(),
        "add server " + r.addr() + " to group " + r.group()));
  }

  private Behavior<Command> onRemoveServer(RemoveServer m) {
    return refuseOr(AdminRules.removeServer(topology, m.group(), m.addr()), m.replyTo(), () -> {
      GroupInfo group = topology.group(m.group()).orElseThrow();
      // The server itself is left alone (still replicating, or a master without a group): an operator may
      // want its data, and a REPLICAOF NO ONE on a replica could create a second writable copy.
      return write(Writes.putGroup(writer, GroupEdits.withoutServer(group, m.addr(), nextEpoch()), m.replyTo(),
          "remove server " + m.addr() + " from group " + m.group()));
    });
  }

  private Behavior<Command> onPromote(Promote m) {
    return refuseOr(AdminRules.promote(topology, m.group(), m.addr()), m.replyTo(), () -> {
      // TODO(issue: lossless hand-over): while the old master is alive this switch can lose the writes it
      // takes between REPLICAOF NO ONE and the new route. DESIGN.md's barrier (hold the group's commands,
      // stop writes on the old master, let the replica catch up to its offset, then switch) comes later.
      List<String> others = topology.group(m.group()).orElseThrow().servers().stream().map(ServerInfo::addr)
          .filter(a -> !a.equals(m.addr())).toList();
      ctx.getLog().info("group {}: promoting {}; {} will follow it", m.group(), m.addr(), others);
      runBlocking(() -> servers.promote(m.addr(), others), (skipped, e) -> new Promoted(m, skipped, e));
      return busy();
    });
  }

  private Behavior<Command> onPromoted(Promoted m) {
    Promote r = m.request();
    if (m.error() != null) {
      return finish(r.replyTo(), failure(m.error(), "promote " + r.addr()));
    }
    if (!m.skipped().isEmpty()) {
      ctx.getLog().warn("group {}: promoted {}, but these do not follow it yet: {}", r.group(), r.addr(),
          m.skipped());
    }
    // Redis has switched already, so the topology follows it whatever else changed in the group
    // meanwhile, as long as the server is still in it.
    Optional<GroupInfo> group = topology.group(r.group()).filter(g -> g.server(r.addr()).isPresent());
    if (group.isEmpty()) {
      return finish(r.replyTo(), new Failed(409, r.addr() + " was made a master in Redis, but it left group "
          + r.group() + " meanwhile"));
    }
    return write(Writes.putGroup(writer, GroupEdits.promoted(group.get(), r.addr(), nextEpoch()), r.replyTo(),
        "promote " + r.addr() + " in group " + r.group()));
  }

  private Behavior<Command> onAssignSlots(AssignSlots m) {
    return refuseOr(AdminRules.assignSlots(topology, m.from(), m.to(), m.group()), m.replyTo(), () -> {
      long epoch = nextEpoch();
      List<Integer> ids = java.util.stream.IntStream.rangeClosed(m.from(), m.to()).boxed().toList();
      return askSlots(new SlotAsks.Request("assigning slots " + m.from() + "-" + m.to() + " to group " + m.group(),
              "were assigned to group " + m.group(), ids, m.replyTo()),
          (slot, replyTo) -> new SlotEntity.Assign(m.group(), epoch, replyTo));
    });
  }

  /** Asks the slots of {@code request} at once; the coordinator is busy until all answered. */
  private Behavior<Command> askSlots(SlotAsks.Request request,
      java.util.function.BiFunction<Integer, ActorRef<SlotEntity.Reply>, SlotEntity.Command> command) {
    ctx.pipeToSelf(SlotAsks.ask(ctx.getSystem(), slots, request.slots(), command, settings.slotAskTimeout()),
        (replies, e) -> new SlotsAnswered(request, replies != null ? replies
            : List.of(new SlotEntity.Rejected(-1, "asking the slot actors failed: " + e))));
    return busy();
  }

  private Behavior<Command> onSlotsAnswered(SlotsAnswered m) {
    SlotAsks.Outcome outcome = SlotAsks.outcome(m.request(), m.replies());
    lastEpoch = Math.max(lastEpoch, outcome.maxEpoch());
    return await(new Writes.Pending(outcome.visible(), outcome.result(), m.request().replyTo()));
  }

  private Behavior<Command> onSetReplicaRead(SetReplicaRead m) {
    return refuseOr(AdminRules.groupExists(topology, m.group()), m.replyTo(), () -> {
      GroupInfo group = topology.group(m.group()).orElseThrow();
      if (group.replicaRead() == m.enabled()) {
        return finish(m.replyTo(), new GroupChanged(group));
      }
      GroupInfo next = new GroupInfo(group.id(), group.servers(), m.enabled(), nextEpoch());
      return write(Writes.putGroup(writer, next, m.replyTo(), "set replica-read of group " + m.group()));
    });
  }

  // ---- Steps

  private Behavior<Command> refuseOr(Optional<Failed> refused, ActorRef<Result> replyTo,
      Supplier<Behavior<Command>> go) {
    if (refused.isPresent()) {
      replyTo.tell(refused.get());
      return Behaviors.same();
    }
    return go.get();
  }

  private long nextEpoch() {
    lastEpoch = Math.max(topology.epoch(), lastEpoch) + 1;
    return lastEpoch;
  }

  private <T> void runBlocking(Supplier<T> work, BiFunction<T, Throwable, Command> done) {
    ctx.pipeToSelf(CompletableFuture.supplyAsync(work, blocking), done::apply);
  }

  private Behavior<Command> write(Writes.Write write) {
    ctx.pipeToSelf(write.stage(), (d, e) -> new Written(write, e));
    return busy();
  }

  private Behavior<Command> onWritten(Written m) {
    return await(m.error() == null ? m.write().pending() : Writes.failed(m.write(), m.error()));
  }

  private Behavior<Command> await(Writes.Pending pending) {
    if (pending.visible().test(topology)) {
      return finish(pending.replyTo(), pending.result());
    }
    awaiting = pending;
    timers.startSingleTimer(ViewTimedOut.class, new ViewTimedOut(), settings.viewTimeout());
    return busy();
  }

  private Behavior<Command> onViewTimedOut(ViewTimedOut m) {
    if (awaiting == null) {
      return Behaviors.same();
    }
    ctx.getLog().warn("this node's replica does not show the last write after {}; answering anyway",
        settings.viewTimeout());
    return answer();
  }

  private Behavior<Command> answer() {
    Writes.Pending done = awaiting;
    awaiting = null;
    timers.cancel(ViewTimedOut.class);
    return finish(done.replyTo(), done.result());
  }

  private Behavior<Command> finish(ActorRef<Result> replyTo, Result result) {
    replyTo.tell(result);
    return stash.unstashAll(idle());
  }

  private static Failed failure(Throwable error, String what) {
    Throwable e = Writes.unwrap(error);
    if (e instanceof ServerOps.Refused r) {
      return new Failed(r.status, r.getMessage());
    }
    return new Failed(503, what + " failed: " + e);
  }
}
