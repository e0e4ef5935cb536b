package dev.rekko.node.cluster;

import dev.rekko.slots.Barrier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * This node's side of every migration barrier (see {@link Barrier}): waits until the routing table has
 * applied the slot's epoch, until no session still dispatches with an older table, and until the slot's
 * source master has answered everything sent to it; then answers. Waiting is polled every few
 * milliseconds: the conditions are cheap volatile reads, and a barrier is rare.
 */
public final class BarrierAgent {
  /** What the agent needs from the node's data path. */
  public interface DataPath {
    /** The epoch of the slot's route in the routing table now; -1 before the topology is loaded. */
    long slotEpoch(int slot);

    /** The routing table's generation now. */
    long generation();

    /** True once no session is in a batch that began before {@code generation}. */
    boolean quiescent(long generation);

    /**
     * Completes when every command sent so far to the slot's master, as the routing table names it now,
     * is answered.
     */
    CompletionStage<Void> drain(int slot);
  }

  public interface Command {}

  private record Asked(Barrier.Request request) implements Command, NoSerializationVerificationNeeded {}

  private record Tick() implements Command, NoSerializationVerificationNeeded {}

  private record Drained(Waiting waiting) implements Command, NoSerializationVerificationNeeded {}

  private static final Duration TICK = Duration.ofMillis(5);

  private BarrierAgent() {}

  public static Behavior<Command> create(DataPath dataPath) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ActorRef<Barrier.Request> asked = ctx.messageAdapter(Barrier.Request.class, Asked::new);
      ctx.getSystem().receptionist().tell(Receptionist.register(Barrier.KEY, asked));
      timers.startTimerWithFixedDelay(new Tick(), TICK);
      return new State(ctx, dataPath).behavior();
    }));
  }

  /** One request on its way: first the epoch, then quiescence since {@code generation}, then the drain. */
  private static final class Waiting {
    final Barrier.Request request;
    long generation = -1;
    boolean draining;

    Waiting(Barrier.Request request) {
      this.request = request;
    }
  }

  private static final class State {
    private final ActorContext<Command> ctx;
    private final DataPath dataPath;
    private final String self;
    private final List<Waiting> waiting = new ArrayList<>();

    State(ActorContext<Command> ctx, DataPath dataPath) {
      this.ctx = ctx;
      this.dataPath = dataPath;
      this.self = Cluster.get(ctx.getSystem()).selfMember().address().toString();
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Asked.class, this::onAsked)
          .onMessage(Tick.class, this::onTick)
          .onMessage(Drained.class, this::onDrained)
          .build();
    }

    private Behavior<Command> onAsked(Asked m) {
      waiting.add(new Waiting(m.request()));
      return onTick(null);
    }

    private Behavior<Command> onTick(Tick t) {
      for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
        Waiting w = it.next();
        if (w.draining) {
          continue;
        }
        if (w.generation < 0) {
          if (dataPath.slotEpoch(w.request.slot()) < w.request.epoch()) {
            continue;
          }
          w.generation = dataPath.generation();
        }
        if (!dataPath.quiescent(w.generation)) {
          continue;
        }
        w.draining = true;
        ctx.pipeToSelf(dataPath.drain(w.request.slot()), (ok, error) -> new Drained(w));
      }
      return Behaviors.same();
    }

    private Behavior<Command> onDrained(Drained m) {
      waiting.remove(m.waiting());
      Barrier.Request r = m.waiting().request;
      r.replyTo().tell(new Barrier.Drained(self, r.slot(), r.epoch()));
      return Behaviors.same();
    }
  }
}
