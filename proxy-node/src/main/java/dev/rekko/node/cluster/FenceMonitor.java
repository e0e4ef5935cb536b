package dev.rekko.node.cluster;

import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Fences the node when it cannot see a majority of the cluster for longer than {@code fence-after}, and
 * lifts the fence as soon as it sees one again.
 *
 * <p>The Split Brain Resolver downs a minority only after {@code stable-after}; until then a node cut off
 * from the majority would keep serving with a routing table the majority may already have changed (a
 * migration's barrier waits for such a node, but clients of that node would not). Fencing earlier closes
 * that window. "Majority" follows keep-majority: more than half of the members, or exactly half when that
 * half holds the member with the lowest address. The check polls the membership state (cheap, local)
 * rather than following events, so it needs no bookkeeping of its own.
 */
public final class FenceMonitor {
  public interface Command {}

  private record Tick() implements Command {}

  private static final Duration TICK = Duration.ofMillis(200);

  private FenceMonitor() {}

  /**
   * @param onFence called on the actor's thread with true when the node becomes fenced and false when the
   *                fence is lifted
   */
  public static Behavior<Command> create(Duration fenceAfter, Consumer<Boolean> onFence) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), TICK);
      return new State(ctx, fenceAfter, onFence).behavior();
    }));
  }

  private static final class State {
    private final ActorContext<Command> ctx;
    private final long fenceAfterNanos;
    private final Consumer<Boolean> onFence;
    private long minoritySince = -1;
    private boolean fenced;

    State(ActorContext<Command> ctx, Duration fenceAfter, Consumer<Boolean> onFence) {
      this.ctx = ctx;
      this.fenceAfterNanos = fenceAfter.toNanos();
      this.onFence = onFence;
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class).onMessage(Tick.class, t -> onTick()).build();
    }

    private Behavior<Command> onTick() {
      Cluster cluster = Cluster.get(ctx.getSystem());
      boolean majority = seesMajority(cluster.state(), cluster.selfMember());
      long now = System.nanoTime();
      if (majority) {
        minoritySince = -1;
        if (fenced) {
          fenced = false;
          ctx.getLog().warn("a majority of the cluster is reachable again: serving clients");
          onFence.accept(false);
        }
      } else if (minoritySince < 0) {
        minoritySince = now;
      } else if (!fenced && now - minoritySince >= fenceAfterNanos) {
        fenced = true;
        ctx.getLog().warn("no majority of the cluster reachable for {} ms: refusing client commands",
            fenceAfterNanos / 1_000_000);
        onFence.accept(true);
      }
      return Behaviors.same();
    }
  }

  /**
   * Whether this member sees a majority. A node that is not a full member yet (joining) counts as seeing
   * one: it does not serve before its topology is loaded anyway.
   */
  static boolean seesMajority(ClusterEvent.CurrentClusterState state, Member self) {
    if (!counts(self.status())) {
      return true;
    }
    Set<Member> unreachable = state.getUnreachable();
    int total = 0;
    int reachable = 0;
    Address lowest = null;
    boolean lowestReachable = false;
    for (Member m : state.getMembers()) {
      if (!counts(m.status())) {
        continue;
      }
      total++;
      boolean ok = !unreachable.contains(m);
      reachable += ok ? 1 : 0;
      if (lowest == null || Member.addressOrdering().compare(m.address(), lowest) < 0) {
        lowest = m.address();
        lowestReachable = ok;
      }
    }
    return reachable * 2 > total || (reachable * 2 == total && lowestReachable);
  }

  /** The members keep-majority counts: those the cluster has fully admitted and not yet let go. */
  private static boolean counts(MemberStatus status) {
    return status == MemberStatus.up() || status == MemberStatus.leaving() || status == MemberStatus.exiting();
  }
}
