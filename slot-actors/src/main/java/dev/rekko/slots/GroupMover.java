package dev.rekko.slots;

import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.migrate.MoverListener;
import dev.rekko.redis.migrate.ServerMover;
import dev.rekko.redis.migrate.WalkResult;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologyReplica;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The mover of one source group, a sharded entity with id = the group id. It follows the topology: while
 * any slot is {@code MIGRATING} away from its group, it walks the group master's keyspace again and again
 * with a {@link ServerMover} (SCAN, then copy-and-delete rounds on copy lanes, or pipelined
 * {@code MIGRATE … KEYS} when {@code copy-lanes} is 0), one walk for all those slots. A walk
 * starts as soon as one slot is {@code MIGRATING}; slots whose barrier ends while it runs join it. A walk
 * that completes having had a slot from its start, begun when the slot was already {@code MIGRATING} at
 * epoch E, has moved every key of it, and the mover tells that slot's actor {@code SourceEmpty(E)}; slots
 * that joined late wait for the next walk. It keeps nothing of its own: restarted on another node it
 * starts from the topology, and a walk is safe to repeat.
 */
public final class GroupMover {
  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "rekko-mover");

  public interface Command {}

  /** Starts the entity; remember-entities then keeps it alive. */
  public record Wake() implements Command, SlotSerializable {}

  /** Changes the throttle of this and later walks; 0 = unthrottled. */
  public record SetThrottle(long maxKeysPerSecond) implements Command, SlotSerializable {}

  /** While paused, no new walk starts and the current one is cancelled (it is safe to repeat). */
  public record SetPaused(boolean paused) implements Command, SlotSerializable {}

  public record GetProgress(ActorRef<Progress> replyTo) implements Command, SlotSerializable {}

  /**
   * @param keysMoved      keys moved by every walk since this mover started
   * @param keysPerSecond  the rate of the current walk so far, or of the last one
   * @param leaving        slots this mover is moving now
   * @param slotKeysMoved  per slot it is moving now: keys moved so far, by every walk of this migration
   * @param longestBlockMs the longest a single MIGRATE kept the source busy, in ms
   * @param yieldingToClients the walks send short MIGRATEs one at a time, because clients use the
   *     source too (rekko.migration.mover.yield-above-commands-per-second)
   */
  public record Progress(int group, boolean walking, boolean paused, int walks, long keysMoved,
      double keysPerSecond, List<Integer> leaving, Map<Integer, Long> slotKeysMoved, long longestBlockMs,
      boolean yieldingToClients, String lastError) implements SlotSerializable {}

  private record TopologyChanged(Topology topology) implements Command, NoSerializationVerificationNeeded {}

  /** Look again whether a walk should start (after a failed walk). */
  private record Retry() implements Command, NoSerializationVerificationNeeded {}

  private record ReportAgain() implements Command, NoSerializationVerificationNeeded {}

  private record WalkEnded(Map<Integer, Long> epochs, WalkResult result, Throwable error)
      implements Command, NoSerializationVerificationNeeded {}

  private static final java.time.Duration REPORT_AGAIN = java.time.Duration.ofSeconds(3);

  /**
   * Walks run on a dispatcher of their own (one thread for each walk in progress): a walk holds its thread
   * for seconds to minutes, and many of them on Pekko's shared blocking dispatcher left nothing for others
   * there (the coordinator's Redis calls among them). Walks beyond its size wait for a thread.
   */
  public static final String WALK_DISPATCHER = "rekko.migration.walk-dispatcher";

  private GroupMover() {}

  public static Behavior<Command> create(int group, ActorRef<TopologyReplica.Command> replica,
      ActorRef<ShardingEnvelope<SlotEntity.Command>> slots, GroupMoverSettings settings) {
    // Every line of a mover names its source group and says it is about a migration (MDC, for JSON logs).
    return Behaviors.withMdc(Command.class, Map.of("group", Integer.toString(group), "migration", "mover"),
        Behaviors.setup(ctx -> {
          replica.tell(new TopologyReplica.Subscribe(ctx.messageAdapter(Topology.class, TopologyChanged::new)));
          return new State(ctx, group, slots, settings).behavior();
        }));
  }

  private static final class State {
    private final ActorContext<Command> ctx;
    private final int group;
    private final ActorRef<ShardingEnvelope<SlotEntity.Command>> slots;
    private final GroupMoverSettings settings;
    private final Executor walkThreads;
    private final AtomicLong walkMoved = new AtomicLong();
    private Topology topology = Topology.EMPTY;
    private ServerMover mover;
    private long throttle;
    private boolean paused;
    // The controls as the topology last showed them; null before the first loaded topology.
    private Boolean seenPaused;
    private Long seenThrottle;
    private boolean walking;
    private long walkStarted;
    private List<Integer> leaving = List.of();
    private int walks;
    private long keysMoved;
    private double lastRate;
    private long longestBlockMs;
    private String lastError = "";
    // Slot -> the MIGRATING epoch at which it was reported empty; a walk for it again would prove nothing new.
    private final Map<Integer, Long> reported = new HashMap<>();
    // Keys moved per slot by the completed walks of slots still leaving (dropped once a slot is done).
    private final Map<Integer, Long> slotMoved = new HashMap<>();
    private long reportedAt;
    private boolean reportScheduled;

    State(ActorContext<Command> ctx, int group, ActorRef<ShardingEnvelope<SlotEntity.Command>> slots,
        GroupMoverSettings settings) {
      this.ctx = ctx;
      this.group = group;
      this.slots = slots;
      this.settings = settings;
      this.throttle = settings.serverMover().maxKeysPerSecond();
      this.walkThreads = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(WALK_DISPATCHER));
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(TopologyChanged.class, this::onTopology)
          .onMessage(WalkEnded.class, this::onWalkEnded)
          .onMessage(ReportAgain.class, m -> {
            reportScheduled = false;
            reportAgain();
            return Behaviors.same();
          })
          .onMessage(Retry.class, m -> {
            maybeWalk();
            return Behaviors.same();
          })
          .onMessage(SetThrottle.class, this::onThrottle)
          .onMessage(SetPaused.class, this::onPaused)
          .onMessage(GetProgress.class, this::onGetProgress)
          .onMessage(Wake.class, m -> Behaviors.same())
          .onSignal(PostStop.class, s -> {
            closeMover();
            return Behaviors.same();
          })
          .build();
    }

    private Behavior<Command> onTopology(TopologyChanged m) {
      topology = m.topology();
      followControls();
      if (walking) {
        joinRunningWalk();
      } else {
        maybeWalk();
      }
      return Behaviors.same();
    }

    /**
     * A mover started again on another node (its node crashed) learns pause and throttle from the
     * topology, where the coordinator keeps them, before the coordinator's next message: a paused
     * migration stays paused. Each change is applied once, so an older topology does not undo a newer
     * SetPaused or SetThrottle.
     */
    private void followControls() {
      if (!topology.loaded()) {
        return;
      }
      if (seenThrottle == null || seenThrottle != topology.moverThrottle()) {
        seenThrottle = topology.moverThrottle();
        onThrottle(new SetThrottle(seenThrottle));
      }
      if (seenPaused == null || seenPaused != topology.migrationsPaused()) {
        seenPaused = topology.migrationsPaused();
        paused = seenPaused;
        if (paused && mover != null) {
          mover.cancel();
        }
      }
    }

    /**
     * Slots past their barrier since the walk began join it rather than wait up to a whole walk: what
     * SCAN has not reached yet moves now, the rest in the next walk, which is short because most keys of
     * every slot are gone by then.
     */
    private void joinRunningWalk() {
      Map<Integer, BackendAddress> joining = new HashMap<>();
      leaving(joining, new HashMap<>());
      joining.keySet().removeAll(new java.util.HashSet<>(leaving));
      if (!joining.isEmpty() && mover != null && mover.join(joining)) {
        List<Integer> all = new java.util.ArrayList<>(leaving);
        all.addAll(joining.keySet());
        leaving = all.stream().sorted().toList();
      }
    }

    /**
     * Slots MIGRATING away from this group whose target group has a master, with target and epoch; not
     * those already reported empty at that epoch (their actors are finishing them).
     */
    private void leaving(Map<Integer, BackendAddress> targets, Map<Integer, Long> epochs) {
      for (SlotInfo s : topology.slots()) {
        if (s.state() == SlotState.MIGRATING && s.group() == group
            && !Long.valueOf(s.epoch()).equals(reported.get(s.id()))) {
          master(s.target()).ifPresent(t -> {
            targets.put(s.id(), t);
            epochs.put(s.id(), s.epoch());
          });
        }
      }
    }

    private Behavior<Command> onThrottle(SetThrottle m) {
      throttle = Math.max(0, m.maxKeysPerSecond());
      if (mover != null) {
        mover.throttle().setMaxKeysPerSecond(throttle);
      }
      return Behaviors.same();
    }

    private Behavior<Command> onPaused(SetPaused m) {
      paused = m.paused();
      if (paused && mover != null) {
        mover.cancel();
      }
      maybeWalk();
      return Behaviors.same();
    }

    private Behavior<Command> onGetProgress(GetProgress m) {
      double rate = lastRate;
      if (walking) {
        double seconds = (System.nanoTime() - walkStarted) / 1e9;
        rate = seconds <= 0 ? 0 : walkMoved.get() / seconds;
      }
      Map<Integer, Long> perSlot = new java.util.TreeMap<>();
      for (int slot : leaving) {
        perSlot.put(slot, slotMoved.getOrDefault(slot, 0L));
      }
      if (walking && mover != null) {
        mover.movedInCurrentWalk().forEach((slot, n) -> perSlot.merge(slot, n, Long::sum));
      }
      m.replyTo().tell(new Progress(group, walking, paused, walks, keysMoved + (walking ? walkMoved.get() : 0),
          rate, leaving, perSlot, longestBlockMs, walking && mover != null && mover.yieldingToClients(), lastError));
      return Behaviors.same();
    }

    /**
     * A report to a slot actor can be lost (its node stopped as it arrived): while a reported slot is
     * still MIGRATING at the reported epoch after {@link #REPORT_AGAIN}, it is told again.
     */
    private void reportAgain() {
      reported.entrySet().removeIf(e -> {
        SlotInfo s = topology.slot(e.getKey());
        return s.state() != SlotState.MIGRATING || s.epoch() != e.getValue();
      });
      if (reported.isEmpty()) {
        return;
      }
      if (System.nanoTime() - reportedAt >= REPORT_AGAIN.toNanos()) {
        reported.forEach((slot, epoch) -> slots.tell(SlotSharding.envelope(slot, new SlotEntity.SourceEmpty(epoch))));
        reportedAt = System.nanoTime();
      }
      scheduleReport();
    }

    private void scheduleReport() {
      if (!reportScheduled) {
        reportScheduled = true;
        ctx.scheduleOnce(REPORT_AGAIN, ctx.getSelf(), new ReportAgain());
      }
    }

    /** Starts a walk when none runs, something is leaving this group, and the group has a master. */
    private void maybeWalk() {
      if (walking || paused) {
        return;
      }
      Optional<BackendAddress> source = master(group);
      Map<Integer, BackendAddress> targets = new HashMap<>();
      Map<Integer, Long> epochs = new HashMap<>();
      leaving(targets, epochs);
      leaving = targets.keySet().stream().sorted().toList();
      slotMoved.keySet().retainAll(targets.keySet());
      if (targets.isEmpty() || source.isEmpty()) {
        return;
      }
      ServerMover m = moverFor(source.get());
      walking = true;
      walkStarted = System.nanoTime();
      walkMoved.set(0);
      CompletableFuture<WalkResult> walk = CompletableFuture.supplyAsync(() -> {
        try {
          return m.walk(targets);
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      }, walkThreads);
      ctx.pipeToSelf(walk, (result, error) -> new WalkEnded(epochs, result, error));
    }

    private Behavior<Command> onWalkEnded(WalkEnded m) {
      walking = false;
      walks++;
      if (m.error() != null) {
        Throwable e = m.error().getCause() != null ? m.error().getCause() : m.error();
        lastError = e.getMessage() == null ? e.toString() : e.getMessage();
        keysMoved += walkMoved.get();
        ctx.getLog().warn("group {}: walk failed: {}", group, lastError);
        // A failed walk is simply repeated, after a pause so a dead target does not spin the mover.
        ctx.scheduleOnce(java.time.Duration.ofSeconds(1), ctx.getSelf(), new Retry());
        return Behaviors.same();
      }
      WalkResult r = m.result();
      r.slots().forEach((slot, c) -> slotMoved.merge(slot, c.moved(), Long::sum));
      lastError = "";
      keysMoved += r.keysMoved();
      lastRate = r.keysPerSecond();
      longestBlockMs = Math.max(longestBlockMs, r.longestMigrate().toMillis());
      m.epochs().forEach((slot, epoch) -> {
        if (r.nothingLeft(slot)) {
          slots.tell(SlotSharding.envelope(slot, new SlotEntity.SourceEmpty(epoch)));
          reported.put(slot, epoch);
        }
      });
      reportedAt = System.nanoTime();
      scheduleReport();
      ctx.getLog().info("group {}: walk of {} slot(s) (+{} joined) moved {} keys in {} ms ({} keys/s)", group,
          m.epochs().size(), r.slots().size() - m.epochs().size(), r.keysMoved(), r.elapsed().toMillis(),
          Math.round(r.keysPerSecond()));
      maybeWalk();
      return Behaviors.same();
    }

    private ServerMover moverFor(BackendAddress source) {
      if (mover == null || !mover.source().equals(source)) {
        closeMover();
        mover = new ServerMover(source, settings.credentials(), List.of(),
            settings.serverMover().toBuilder().maxKeysPerSecond(throttle).build(), new MoverListener() {
              @Override
              public void onBatch(BatchReport report) {
                walkMoved.set(report.walkKeysMoved());
              }
            });
      }
      return mover;
    }

    /**
     * Stops the mover without waiting: a running walk is cancelled and closes its connections itself, on
     * its own thread, once its lanes have stopped ({@link ServerMover#close()}); its end still comes back as
     * {@link WalkEnded} unless this actor has stopped.
     */
    private void closeMover() {
      if (mover != null) {
        mover.close();
        mover = null;
      }
    }

    private Optional<BackendAddress> master(int id) {
      return topology.masterOfGroup(id).map(ServerInfo::address);
    }
  }
}
