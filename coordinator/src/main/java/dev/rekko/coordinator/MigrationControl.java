package dev.rekko.coordinator;

import dev.rekko.coordinator.Coordinator.MigrationsChanged;
import dev.rekko.coordinator.Coordinator.MigrationsView;
import dev.rekko.slots.SlotEntity;
import dev.rekko.slots.SlotSharding;
import dev.rekko.slots.GroupMover;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologyWriter;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/**
 * The coordinator's side of running migrations, on the coordinator's thread: starting pending slots as
 * the topology changes, keeping the movers of leaving groups awake, and their pause and throttle.
 *
 * <p>Pause and throttle are kept in the topology's meta map, so that a coordinator that takes over
 * (its node left or failed) carries on with them instead of resuming a paused migration. An operator's
 * change applies here at once and is answered once a majority holds it; a change seen in the topology
 * (the first topology after a takeover, or a write by an earlier coordinator that landed late) is
 * adopted when it differs from what the topology said before.
 */
final class MigrationControl {
  private final ActorSystem<?> system;
  private final ActorRef<ShardingEnvelope<SlotEntity.Command>> slots;
  private final ActorRef<ShardingEnvelope<GroupMover.Command>> movers;
  private final TopologyWriter writer;
  private final MigrationScheduler scheduler;
  private final Set<Integer> wokenMovers = new HashSet<>();
  private long throttle;
  /** The controls as the topology last showed them; null before the first topology. */
  private Boolean seenPaused;
  private Long seenThrottle;

  MigrationControl(ActorSystem<?> system, ActorRef<ShardingEnvelope<SlotEntity.Command>> slots,
      ActorRef<ShardingEnvelope<GroupMover.Command>> movers, TopologyWriter writer, int maxParallelSlots) {
    this.system = system;
    this.slots = slots;
    this.movers = movers;
    this.writer = writer;
    this.scheduler = new MigrationScheduler(maxParallelSlots);
  }

  /** Starts the pending slots there is room for, and wakes the movers of groups slots are leaving. */
  void onTopology(Topology topology) {
    if (seenThrottle == null || seenThrottle != topology.moverThrottle()) {
      seenThrottle = topology.moverThrottle();
      applyThrottle(seenThrottle);
    }
    if (seenPaused == null || seenPaused != topology.migrationsPaused()) {
      seenPaused = topology.migrationsPaused();
      applyPause(seenPaused);
    }
    for (int group : MigrationScheduler.sources(topology)) {
      if (wokenMovers.add(group)) {
        wakeMover(group);
      }
    }
    for (int slot : scheduler.onTopology(topology, System.nanoTime())) {
      slots.tell(SlotSharding.envelope(slot, new SlotEntity.StartMigration(system.ignoreRef())));
    }
  }

  /**
   * The slots of a new migration that start at once, skipping {@code PENDING} (see
   * {@link MigrationScheduler#admit}); the movers of the groups they leave are woken now, as they would
   * be by a pending slot.
   */
  Set<Integer> admit(Map<Integer, Integer> moves, Topology topology, long minEpoch) {
    Set<Integer> now = scheduler.admit(moves, topology, minEpoch, System.nanoTime());
    for (int slot : now) {
      int group = topology.slot(slot).group();
      if (wokenMovers.add(group)) {
        wakeMover(group);
      }
    }
    return now;
  }

  /**
   * Wakes every slot that the topology shows mid-migration, and the movers of the groups they leave,
   * with their controls. Sharding's remember-entities restarts the entities of a node that crashed, but
   * whether they run is this migration's whole progress: a slot actor that is already running ignores
   * the wake, one that is not starts and resumes from its published step.
   */
  void nudge(Topology topology) {
    for (SlotInfo s : topology.slots()) {
      if (MigrationScheduler.isActive(s.state())) {
        slots.tell(SlotSharding.envelope(s.id(), new SlotEntity.Wake()));
      }
    }
    for (int group : MigrationScheduler.sources(topology)) {
      wokenMovers.add(group);
      wakeMover(group);
    }
    // A start lost on its way (a shard handed off, a node that died with it) is sent again even when no
    // topology change follows: otherwise its slot stays PENDING once the others have finished.
    for (int slot : scheduler.onTopology(topology, System.nanoTime())) {
      slots.tell(SlotSharding.envelope(slot, new SlotEntity.StartMigration(system.ignoreRef())));
    }
  }

  CompletionStage<MigrationsChanged> pause(boolean paused, Topology topology) {
    applyPause(paused);
    if (!paused) {
      onTopology(topology);
    }
    return persisted(paused ? "migrations paused" : "migrations resumed");
  }

  CompletionStage<MigrationsChanged> throttle(long maxKeysPerSecond) {
    applyThrottle(Math.max(0, maxKeysPerSecond));
    return persisted(throttle == 0 ? "movers unthrottled" : "movers capped at " + throttle + " keys/s each");
  }

  private void applyPause(boolean paused) {
    scheduler.paused(paused);
    wokenMovers.forEach(g -> tellMover(g, new GroupMover.SetPaused(paused)));
  }

  private void applyThrottle(long maxKeysPerSecond) {
    throttle = maxKeysPerSecond;
    wokenMovers.forEach(g -> tellMover(g, new GroupMover.SetThrottle(throttle)));
  }

  /** Writes the controls as they are now; the answer says whether a majority holds them. */
  private CompletionStage<MigrationsChanged> persisted(String message) {
    return writer.putMigrationControls(scheduler.paused(), throttle).handle((done, error) -> error == null
        ? new MigrationsChanged(message)
        : new MigrationsChanged(message + " on this coordinator, but recording it failed ("
            + Writes.unwrap(error).getMessage() + "): a coordinator that takes over may not know of it"));
  }

  /** Built off the coordinator's thread: the movers are asked for their progress. */
  CompletionStage<MigrationsView> view(Topology topology, Duration timeout) {
    return MigrationViews.build(system, movers, List.copyOf(wokenMovers), topology, scheduler.done(),
        scheduler.paused(), throttle, timeout);
  }

  /** The rebalance plan's moves, slot → target group. */
  static Map<Integer, Integer> rebalanceMoves(Topology topology) {
    Map<Integer, Integer> moves = new LinkedHashMap<>();
    RebalancePlanner.plan(topology).moves().forEach(move -> moves.put(move.slot(), move.to()));
    return moves;
  }

  static List<Integer> pending(Topology topology) {
    return topology.slots().stream().filter(s -> s.state() == SlotState.PENDING).map(SlotInfo::id).toList();
  }

  /** Wakes a group's mover with the controls as they are now. */
  private void wakeMover(int group) {
    tellMover(group, new GroupMover.Wake());
    tellMover(group, new GroupMover.SetThrottle(throttle));
    tellMover(group, new GroupMover.SetPaused(scheduler.paused()));
  }

  private void tellMover(int group, GroupMover.Command command) {
    movers.tell(SlotSharding.moverEnvelope(group, command));
  }
}
