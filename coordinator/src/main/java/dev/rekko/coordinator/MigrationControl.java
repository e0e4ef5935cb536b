package dev.rekko.coordinator;

import dev.rekko.coordinator.Coordinator.MigrationsChanged;
import dev.rekko.coordinator.Coordinator.MigrationsView;
import dev.rekko.slots.SlotEntity;
import dev.rekko.slots.SlotSharding;
import dev.rekko.slots.SourceMover;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.Topology;
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
 */
final class MigrationControl {
  private final ActorSystem<?> system;
  private final ActorRef<ShardingEnvelope<SlotEntity.Command>> slots;
  private final ActorRef<ShardingEnvelope<SourceMover.Command>> movers;
  private final MigrationScheduler scheduler;
  private final Set<Integer> wokenMovers = new HashSet<>();
  private long throttle;

  MigrationControl(ActorSystem<?> system, ActorRef<ShardingEnvelope<SlotEntity.Command>> slots,
      ActorRef<ShardingEnvelope<SourceMover.Command>> movers, int maxParallelSlots) {
    this.system = system;
    this.slots = slots;
    this.movers = movers;
    this.scheduler = new MigrationScheduler(maxParallelSlots);
  }

  /** Starts the pending slots there is room for, and wakes the movers of groups slots are leaving. */
  void onTopology(Topology topology) {
    for (int group : MigrationScheduler.sources(topology)) {
      if (wokenMovers.add(group)) {
        tellMover(group, new SourceMover.Wake());
        tellMover(group, new SourceMover.SetThrottle(throttle));
        tellMover(group, new SourceMover.SetPaused(scheduler.paused()));
      }
    }
    for (int slot : scheduler.onTopology(topology, System.nanoTime())) {
      slots.tell(SlotSharding.envelope(slot, new SlotEntity.StartMigration(system.ignoreRef())));
    }
  }

  MigrationsChanged pause(boolean paused, Topology topology) {
    scheduler.paused(paused);
    wokenMovers.forEach(g -> tellMover(g, new SourceMover.SetPaused(paused)));
    if (!paused) {
      onTopology(topology);
    }
    return new MigrationsChanged(paused ? "migrations paused" : "migrations resumed");
  }

  MigrationsChanged throttle(long maxKeysPerSecond) {
    throttle = Math.max(0, maxKeysPerSecond);
    wokenMovers.forEach(g -> tellMover(g, new SourceMover.SetThrottle(throttle)));
    return new MigrationsChanged(throttle == 0 ? "movers unthrottled" : "movers capped at " + throttle + " keys/s each");
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

  private void tellMover(int group, SourceMover.Command command) {
    movers.tell(SlotSharding.moverEnvelope(group, command));
  }
}
