package dev.rekko.node.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Keeps the node's lease: the data path serves only while the node's last confirmed contact with a
 * majority of the cluster is younger than {@code fence-after} (monotonic clock), and refuses with
 * {@code ERR node is fenced ...} otherwise.
 *
 * <p>Every {@link #TICK} the monitor pings the monitor of every member (they find each other through the
 * Receptionist) and counts the answers per round; a round that a majority answers extends the lease to
 * its <em>send</em> time plus fence-after ({@link LeaseRounds}). The Split Brain Resolver downs a member
 * only after it has been unreachable for {@code stable-after}, which is longer than fence-after, so a node
 * cut off from the majority has stopped serving before the others decide without it. Because the data
 * path checks the lease's deadline itself, on every command, this holds for a node whose whole JVM froze
 * (GC, VM pause, SIGSTOP): when it wakes, its I/O threads see an expired lease before they write anything,
 * whatever its (stale) view of the membership says, and the members that downed it no longer answer.
 */
public final class FenceMonitor {
  /** The monitors' service key: every node's monitor answers pings. */
  public static final ServiceKey<Ping> KEY = ServiceKey.create(Ping.class, "rekko-lease");

  public interface Command {}

  /** Between nodes: "do you see me?". */
  public record Ping(long seq, ActorRef<Pong> replyTo) implements Command, LeaseSerializable {}

  /** @param node the answering member's address */
  public record Pong(long seq, String node) implements Command, LeaseSerializable {}

  /** What the monitor tells the node. Called on the monitor's thread. */
  public interface Listener {
    /** The lease now runs until {@code untilNanos} ({@link System#nanoTime()} based). */
    void renewed(long untilNanos);

    /** The lease ran out (true) or runs again (false); for logs, readiness and the node list. */
    void fenced(boolean fenced);
  }

  private record Tick() implements Command, NoSerializationVerificationNeeded {}

  private record Listed(Receptionist.Listing listing) implements Command, NoSerializationVerificationNeeded {}

  static final Duration TICK = Duration.ofMillis(200);

  private FenceMonitor() {}

  public static Behavior<Command> create(Duration fenceAfter, Listener listener) {
    return Behaviors.supervise(Behaviors.<Command>setup(ctx -> Behaviors.withTimers(timers -> {
      // The actor itself is registered, not an adapter: an actor's adapters share one ActorRef, and the
      // cluster Receptionist fails when the same ref both registers and subscribes.
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf().narrow()));
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(KEY,
          ctx.messageAdapter(Receptionist.Listing.class, Listed::new)));
      timers.startTimerWithFixedDelay(Tick.class, new Tick(), TICK);
      return new State(ctx, fenceAfter, listener).behavior();
    }))).onFailure(SupervisorStrategy.restart());
  }

  private static final class State {
    private final ActorContext<Command> ctx;
    private final long fenceAfterNanos;
    private final Listener listener;
    private final Cluster cluster;
    private final Address self;
    private final String selfName;
    private final LeaseRounds rounds;
    private final ActorRef<Pong> pongs;
    private Map<Address, ActorRef<Ping>> peers = Map.of();
    // Fenced until the first lease: a node that is still joining has no confirmed contact yet.
    private boolean fenced = true;
    private boolean everRenewed;

    State(ActorContext<Command> ctx, Duration fenceAfter, Listener listener) {
      this.ctx = ctx;
      this.fenceAfterNanos = fenceAfter.toNanos();
      this.listener = listener;
      this.cluster = Cluster.get(ctx.getSystem());
      this.self = cluster.selfMember().address();
      this.selfName = self.toString();
      this.rounds = new LeaseRounds(fenceAfterNanos, self);
      this.pongs = ctx.getSelf().narrow();
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, t -> onTick())
          .onMessage(Ping.class, this::onPing)
          .onMessage(Pong.class, this::onPong)
          .onMessage(Listed.class, this::onListed)
          .build();
    }

    private Behavior<Command> onTick() {
      long now = System.nanoTime();
      List<Address> counted = counted();
      if (counted.contains(self)) {
        long seq = rounds.open(now);
        for (Address member : counted) {
          ActorRef<Ping> peer = peers.get(member);
          if (peer != null && !member.equals(self)) {
            peer.tell(new Ping(seq, pongs));
          }
        }
        if (rounds.evaluate(counted)) {
          renewed();
        }
      }
      if (!fenced && !rounds.valid(now)) {
        fenced = true;
        ctx.getLog().warn("no confirmed contact with a majority of the cluster for {} ms: refusing client commands",
            fenceAfterNanos / 1_000_000);
        listener.fenced(true);
      }
      return Behaviors.same();
    }

    private Behavior<Command> onPing(Ping m) {
      m.replyTo().tell(new Pong(m.seq(), selfName));
      return Behaviors.same();
    }

    private Behavior<Command> onPong(Pong m) {
      if (rounds.answered(m.seq(), AddressFromURIString.parse(m.node()), counted())) {
        renewed();
      }
      return Behaviors.same();
    }

    private void renewed() {
      listener.renewed(rounds.until());
      if (fenced && rounds.valid(System.nanoTime())) {
        fenced = false;
        if (everRenewed) {
          ctx.getLog().warn("contact with a majority of the cluster confirmed again: serving clients");
        }
        everRenewed = true;
        listener.fenced(false);
      }
    }

    private Behavior<Command> onListed(Listed m) {
      Map<Address, ActorRef<Ping>> byAddress = new HashMap<>();
      for (ActorRef<Ping> p : m.listing().getServiceInstances(KEY)) {
        Address a = p.path().address();
        byAddress.put(a.hasLocalScope() ? self : a, p);
      }
      peers = byAddress;
      return Behaviors.same();
    }

    /** The members keep-majority counts: those the cluster has fully admitted and not yet let go. */
    private List<Address> counted() {
      List<Address> counted = new ArrayList<>();
      for (Member m : cluster.state().getMembers()) {
        MemberStatus s = m.status();
        if (s == MemberStatus.up() || s == MemberStatus.leaving() || s == MemberStatus.exiting()) {
          counted.add(m.address());
        }
      }
      return counted;
    }
  }
}
