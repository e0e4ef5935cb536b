package dev.rekko.coordinator;

import dev.rekko.coordinator.Coordinator.MigrationsView;
import dev.rekko.slots.SlotSharding;
import dev.rekko.slots.GroupMover;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/** Builds {@link MigrationsView}: slot states from the topology, progress from the movers. */
final class MigrationViews {
  private MigrationViews() {}

  static CompletionStage<MigrationsView> build(ActorSystem<?> system,
      ActorRef<ShardingEnvelope<GroupMover.Command>> movers, List<Integer> groups, Topology topology, int done,
      boolean paused, long throttle, Duration timeout) {
    List<CompletableFuture<GroupMover.Progress>> asks = new ArrayList<>();
    for (int g : groups) {
      CompletionStage<GroupMover.Progress> ask = AskPattern.ask(movers,
          (ActorRef<GroupMover.Progress> r) -> SlotSharding.moverEnvelope(g, new GroupMover.GetProgress(r)),
          timeout, system.scheduler());
      asks.add(ask.toCompletableFuture().exceptionally(e -> new GroupMover.Progress(g, false, paused, 0, 0, 0,
          List.of(), java.util.Map.of(), 0, false, "no answer: " + e.getMessage())));
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<GroupMover.Progress> progress = asks.stream().map(CompletableFuture::join).toList();
      List<SlotInfo> slots = new ArrayList<>();
      int active = 0;
      int pending = 0;
      for (SlotInfo s : topology.slots()) {
        if (s.state() == SlotState.PENDING) {
          pending++;
          slots.add(s);
        } else if (MigrationScheduler.isActive(s.state())) {
          active++;
          slots.add(s);
        }
      }
      long moved = progress.stream().mapToLong(GroupMover.Progress::keysMoved).sum();
      double rate = progress.stream().filter(GroupMover.Progress::walking)
          .mapToDouble(GroupMover.Progress::keysPerSecond).sum();
      return new MigrationsView(active, pending, done, moved, rate, eta(done, active + pending, moved, rate),
          paused, throttle, slots, progress);
    });
  }

  /**
   * Time left at the current rate, assuming the slots still to go hold as many keys per slot as those done
   * so far; -1 before anything is known.
   */
  private static long eta(int done, int left, long moved, double rate) {
    if (left == 0) {
      return 0;
    }
    if (done == 0 || rate <= 0) {
      return -1;
    }
    return Math.round(left * ((double) moved / done) / rate);
  }
}
