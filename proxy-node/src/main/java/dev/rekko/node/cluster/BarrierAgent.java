package dev.rekko.node.cluster;

import dev.rekko.slots.Barrier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * This node's side of every migration barrier (see {@link Barrier}): waits until the routing table has
 * applied the slot's epoch, until no session still dispatches with an older table, and until nothing the
 * node sent to the slot's source master can still run there; then answers. A group switching its master
 * ({@link Barrier.GroupRequest}) is answered the same way: once the table holds the group's epoch (its
 * slots held), sessions are quiescent since, and, when asked to, the old master is drained. Waiting is polled every few
 * milliseconds: the conditions are cheap volatile reads, and a barrier is rare. The waits ready at one
 * tick share one drain per server, so the barriers of a thousand slots leaving one source cost one drain.
 *
 * <p>A drain that cannot be proven (a connection to the source failed and the source cannot be reached
 * to kill it) is not an answer: the request waits and drains again after {@link #DRAIN_RETRY}. Slot
 * actors (and the coordinator) ask again every second while they wait; a request already waiting is not queued twice, and one
 * nobody has asked for in {@link #FORGET_AFTER} is dropped (its slot actor moved on or went elsewhere).
 * Supervised: after an exception the agent starts afresh, and the slot actors' next asks refill it.
 */
public final class BarrierAgent {
  /** What the agent needs from the node's data path. */
  public interface DataPath {
    /** The epoch of the slot's route in the routing table now; -1 before the topology is loaded. */
    long slotEpoch(int slot);

    /** The epoch of the group's entry in the routing table's topology now; -1 when unknown or not loaded. */
    long groupEpoch(int group);

    /** The routing table's generation now. */
    long generation();

    /** True once no session is in a batch that began before {@code generation}. */
    boolean quiescent(long generation);

    /** The slot's master as the routing table names it now ({@code host:port}); empty when none. */
    Optional<String> slotMaster(int slot);

    /**
     * Completes when nothing sent so far to {@code server} ({@code host:port}) can still run there; fails
     * when that cannot be proven now (it is asked again later).
     */
    CompletionStage<Void> drain(String server);

    /** A barrier was answered {@code nanos} after the agent was first asked (for the barrier histogram). */
    default void barrierAnswered(long nanos) {}
  }

  public interface Command {}

  private record Asked(Barrier.Request request) implements Command, NoSerializationVerificationNeeded {}

  private record GroupAsked(Barrier.GroupRequest request) implements Command, NoSerializationVerificationNeeded {}

  private record Tick() implements Command, NoSerializationVerificationNeeded {}

  /** One drain of {@code server} finished, for every wait that was ready when it started. */
  private record Drained(String server, List<BarrierWait> waits, Throwable error)
      implements Command, NoSerializationVerificationNeeded {}

  private static final Duration TICK = Duration.ofMillis(5);
  static final Duration DRAIN_RETRY = Duration.ofSeconds(1);
  static final Duration FORGET_AFTER = Duration.ofSeconds(60);

  private BarrierAgent() {}

  public static Behavior<Command> create(DataPath dataPath) {
    return Behaviors.supervise(Behaviors.<Command>setup(ctx -> Behaviors.withTimers(timers -> {
      ActorRef<Barrier.Request> asked = ctx.messageAdapter(Barrier.Request.class, Asked::new);
      ctx.getSystem().receptionist().tell(Receptionist.register(Barrier.KEY, asked));
      ActorRef<Barrier.GroupRequest> groupAsked = ctx.messageAdapter(Barrier.GroupRequest.class, GroupAsked::new);
      ctx.getSystem().receptionist().tell(Receptionist.register(Barrier.GROUP_KEY, groupAsked));
      timers.startTimerWithFixedDelay(new Tick(), TICK);
      return new State(ctx, dataPath).behavior();
    }))).onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 0.2));
  }

  private static final class State {
    private final ActorContext<Command> ctx;
    private final DataPath dataPath;
    private final String self;
    private final Map<Object, BarrierWait> waiting = new LinkedHashMap<>();
    /** Servers with a drain under way: waits that become ready meanwhile take the next one. */
    private final Set<String> draining = new HashSet<>();

    State(ActorContext<Command> ctx, DataPath dataPath) {
      this.ctx = ctx;
      this.dataPath = dataPath;
      this.self = Cluster.get(ctx.getSystem()).selfMember().address().toString();
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Asked.class, m -> onAsked(m.request(), now -> BarrierWait.of(m.request(), now)))
          .onMessage(GroupAsked.class, m -> onAsked(m.request(), now -> BarrierWait.of(m.request(), now)))
          .onMessage(Tick.class, this::onTick)
          .onMessage(Drained.class, this::onDrained)
          .build();
    }

    private Behavior<Command> onAsked(Object request, java.util.function.LongFunction<BarrierWait> create) {
      long now = System.nanoTime();
      BarrierWait w = waiting.get(request);
      if (w != null) {
        w.lastAsked = now;
        return Behaviors.same();
      }
      waiting.put(request, create.apply(now));
      return onTick(null);
    }

    /**
     * Drains, for the waits ready now, each server they name once: a drain started after every one of them
     * was applied and quiescent proves for all of them what one drain each would (a migration of many
     * slots from one source then costs one round of PINGs, not one per slot).
     */
    private Behavior<Command> onTick(Tick t) {
      long now = System.nanoTime();
      Map<String, List<BarrierWait>> ready = new LinkedHashMap<>();
      for (Iterator<BarrierWait> it = waiting.values().iterator(); it.hasNext(); ) {
        BarrierWait w = it.next();
        if (w.draining) {
          continue;
        }
        if (now - w.lastAsked > FORGET_AFTER.toNanos()) {
          it.remove();
          continue;
        }
        if (now - w.retryAt < 0) {
          continue;
        }
        if (w.generation < 0) {
          if (!w.applied(dataPath)) {
            continue;
          }
          w.generation = dataPath.generation();
        }
        if (!dataPath.quiescent(w.generation)) {
          continue;
        }
        Optional<String> server = w.drainTarget(dataPath);
        if (server.isEmpty()) {
          it.remove();
          answer(w);
        } else if (!draining.contains(server.get())) {
          ready.computeIfAbsent(server.get(), k -> new ArrayList<>()).add(w);
        }
      }
      ready.forEach((server, waits) -> {
        draining.add(server);
        waits.forEach(w -> w.draining = true);
        ctx.pipeToSelf(dataPath.drain(server), (ok, error) -> new Drained(server, waits, error));
      });
      return Behaviors.same();
    }

    private Behavior<Command> onDrained(Drained m) {
      draining.remove(m.server());
      Throwable cause = m.error() instanceof CompletionException && m.error().getCause() != null
          ? m.error().getCause() : m.error();
      for (BarrierWait w : m.waits()) {
        w.draining = false;
        if (cause != null) {
          w.retryAt = System.nanoTime() + DRAIN_RETRY.toNanos();
          if (w.failedDrains++ == 0) {
            ctx.getLog().warn("{}: not drained yet, the barrier waits: {}", w.describe(), cause.getMessage());
          } else {
            ctx.getLog().debug("{}: still not drained: {}", w.describe(), cause.getMessage());
          }
        } else {
          if (waiting.get(w.request()) == w) {
            waiting.remove(w.request());
          }
          answer(w);
        }
      }
      return Behaviors.same();
    }

    private void answer(BarrierWait w) {
      w.answer(self);
      dataPath.barrierAnswered(System.nanoTime() - w.since);
    }
  }
}
