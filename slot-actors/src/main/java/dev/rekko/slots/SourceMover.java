package dev.rekko.slots;

import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.migrate.MoverListener;
import dev.rekko.redis.migrate.SlotMover;
import dev.rekko.redis.migrate.WalkResult;
import dev.rekko.topology.GroupInfo;
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
 * ({@link SlotMover}: SCAN plus pipelined {@code MIGRATE … KEYS}), one walk for all those slots. After a
 * walk that began when a slot was already {@code MIGRATING} at epoch E and found none of its keys, it tells
 * that slot's actor {@code SourceEmpty(E)}. It keeps nothing of its own: restarted on another node it
 * starts from the topology, and a walk is safe to repeat.
 */
public final class SourceMover {
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
   * @param longestBlockMs the longest a single MIGRATE kept the source busy, in ms
   */
  public record Progress(int group, boolean walking, boolean paused, int walks, long keysMoved,
      double keysPerSecond, List<Integer> leaving, long longestBlockMs, String lastError)
      implements SlotSerializable {}

  private record TopologyChanged(Topology topology) implements Command, NoSerializationVerificationNeeded {}

  /** Look again whether a walk should start (after a failed walk, or while gathering slots). */
  private record Retry() implements Command, NoSerializationVerificationNeeded {}

  private record WalkEnded(Map<Integer, Long> epochs, WalkResult result, Throwable error)
      implements Command, NoSerializationVerificationNeeded {}

  private static final java.time.Duration GATHER_STEP = java.time.Duration.ofMillis(100);
  private static final java.time.Duration GATHER_MAX = java.time.Duration.ofSeconds(2);

  private SourceMover() {}

  public static Behavior<Command> create(int group, ActorRef<TopologyReplica.Command> replica,
      ActorRef<ShardingEnvelope<SlotEntity.Command>> slots, MoverSettings settings) {
    return Behaviors.setup(ctx -> {
      replica.tell(new TopologyReplica.Subscribe(ctx.messageAdapter(Topology.class, TopologyChanged::new)));
      return new State(ctx, group, slots, settings).behavior();
    });
  }

  private static final class State {
    private final ActorContext<Command> ctx;
    private final int group;
    private final ActorRef<ShardingEnvelope<SlotEntity.Command>> slots;
    private final MoverSettings settings;
    private final Executor blocking;
    private final AtomicLong walkMoved = new AtomicLong();
    private Topology topology = Topology.EMPTY;
    private SlotMover mover;
    private long throttle;
    private boolean paused;
    private boolean walking;
    private long walkStarted;
    private List<Integer> leaving = List.of();
    private int walks;
    private long keysMoved;
    private double lastRate;
    private long longestBlockMs;
    private String lastError = "";
    private long gatherSince;

    State(ActorContext<Command> ctx, int group, ActorRef<ShardingEnvelope<SlotEntity.Command>> slots,
        MoverSettings settings) {
      this.ctx = ctx;
      this.group = group;
      this.slots = slots;
      this.settings = settings;
      this.throttle = settings.options().maxKeysPerSecond();
      this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(TopologyChanged.class, this::onTopology)
          .onMessage(WalkEnded.class, this::onWalkEnded)
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
      maybeWalk();
      return Behaviors.same();
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
      m.replyTo().tell(new Progress(group, walking, paused, walks, keysMoved + (walking ? walkMoved.get() : 0),
          rate, leaving, longestBlockMs, lastError));
      return Behaviors.same();
    }

    /** Starts a walk when none runs, something is leaving this group, and the group has a master. */
    private void maybeWalk() {
      if (walking || paused) {
        return;
      }
      Optional<BackendAddress> source = master(group);
      Map<Integer, BackendAddress> targets = new HashMap<>();
      Map<Integer, Long> epochs = new HashMap<>();
      for (SlotInfo s : topology.slots()) {
        if (s.state() == SlotState.MIGRATING && s.group() == group) {
          master(s.target()).ifPresent(t -> {
            targets.put(s.id(), t);
            epochs.put(s.id(), s.epoch());
          });
        }
      }
      leaving = targets.keySet().stream().sorted().toList();
      if (targets.isEmpty() || source.isEmpty()) {
        return;
      }
      if (moreComing() && waitForMore()) {
        return;
      }
      gatherSince = 0;
      SlotMover m = moverFor(source.get());
      walking = true;
      walkStarted = System.nanoTime();
      walkMoved.set(0);
      CompletableFuture<WalkResult> walk = CompletableFuture.supplyAsync(() -> {
        try {
          return m.walk(targets);
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      }, blocking);
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
      lastError = "";
      keysMoved += r.keysMoved();
      lastRate = r.keysPerSecond();
      longestBlockMs = Math.max(longestBlockMs, r.longestMigrate().toMillis());
      m.epochs().forEach((slot, epoch) -> {
        if (r.nothingLeft(slot)) {
          slots.tell(SlotSharding.envelope(slot, new SlotEntity.SourceEmpty(epoch)));
        }
      });
      ctx.getLog().info("group {}: walk of {} slot(s) moved {} keys in {} ms ({} keys/s)", group,
          m.epochs().size(), r.keysMoved(), r.elapsed().toMillis(), Math.round(r.keysPerSecond()));
      maybeWalk();
      return Behaviors.same();
    }

    /** Whether slots of this group are still on their way to MIGRATING (their barrier is being taken). */
    private boolean moreComing() {
      for (SlotInfo s : topology.slots()) {
        if (s.group() == group && (s.state() == SlotState.PREPARING || s.state() == SlotState.BARRIER)) {
          return true;
        }
      }
      return false;
    }

    /**
     * Every walk reads the source's whole keyspace, so a walk started for the first slot past its barrier
     * would leave the slots right behind it to another full walk. While more are coming, the walk waits a
     * little (at most {@link #GATHER_MAX} in all) to take them along.
     */
    private boolean waitForMore() {
      long now = System.nanoTime();
      if (gatherSince == 0) {
        gatherSince = now;
      }
      if (now - gatherSince >= GATHER_MAX.toNanos()) {
        gatherSince = 0;
        return false;
      }
      ctx.scheduleOnce(GATHER_STEP, ctx.getSelf(), new Retry());
      return true;
    }

    private SlotMover moverFor(BackendAddress source) {
      if (mover == null || !mover.source().equals(source)) {
        closeMover();
        mover = new SlotMover(source, settings.credentials(), List.of(),
            settings.options().toBuilder().maxKeysPerSecond(throttle).build(), new MoverListener() {
              @Override
              public void onBatch(BatchReport report) {
                walkMoved.set(report.walkKeysMoved());
              }
            });
      }
      return mover;
    }

    private void closeMover() {
      if (mover != null) {
        mover.cancel();
        mover.close();
        mover = null;
      }
    }

    private Optional<BackendAddress> master(int id) {
      return topology.group(id).flatMap(GroupInfo::master).map(s -> BackendAddress.parse(s.addr()));
    }
  }
}
