package dev.rekko.node.cluster;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Member;

/**
 * The book-keeping of the node's lease (see {@link FenceMonitor}): rounds of pings to every member, and
 * the lease they earn. A round sent at time t that a majority of the members answers extends the lease to
 * t + fence-after. The lease counts from when the round was <em>sent</em>, never from when its answers
 * arrived: a node that froze after sending a round, or whose answers sat in a queue, gains nothing from
 * them beyond what it had at the moment it sent.
 *
 * <p>Times are {@link System#nanoTime()} values, compared by difference (they may wrap).
 */
final class LeaseRounds {
  private record Round(long seq, long sentNanos, Set<Address> answered) {}

  private final long fenceAfterNanos;
  private final Address self;
  private final ArrayDeque<Round> rounds = new ArrayDeque<>();
  private long nextSeq = 1;
  private boolean granted;
  private long until;

  LeaseRounds(long fenceAfterNanos, Address self) {
    this.fenceAfterNanos = fenceAfterNanos;
    this.self = self;
  }

  /** Opens a round sent now, answered by this node itself; returns its sequence number. */
  long open(long now) {
    // A round older than fence-after could only earn a lease that has already run out.
    for (Iterator<Round> it = rounds.iterator(); it.hasNext(); ) {
      if (now - it.next().sentNanos() >= fenceAfterNanos) {
        it.remove();
      }
    }
    Set<Address> answered = new HashSet<>();
    answered.add(self);
    Round r = new Round(nextSeq++, now, answered);
    rounds.addLast(r);
    return r.seq();
  }

  /**
   * Records that {@code from} answered round {@code seq} (unknown or expired rounds are ignored) and
   * returns true when that extended the lease.
   *
   * @param counted the members that count for the majority, as this node sees them now
   */
  boolean answered(long seq, Address from, List<Address> counted) {
    for (Round r : rounds) {
      if (r.seq() == seq) {
        r.answered().add(from);
        return extend(r, counted);
      }
    }
    return false;
  }

  /** Extends the lease by the newest round that a majority has answered; true when it did. */
  boolean evaluate(List<Address> counted) {
    for (Iterator<Round> it = rounds.descendingIterator(); it.hasNext(); ) {
      if (extend(it.next(), counted)) {
        return true;
      }
    }
    return false;
  }

  private boolean extend(Round r, List<Address> counted) {
    long next = r.sentNanos() + fenceAfterNanos;
    if ((granted && next - until <= 0) || !majority(r.answered(), counted)) {
      return false;
    }
    granted = true;
    until = next;
    return true;
  }

  /** Whether the lease runs at {@code now}. */
  boolean valid(long now) {
    return granted && now - until < 0;
  }

  /** The time the lease runs until; meaningful once {@link #valid} has been true. */
  long until() {
    return until;
  }

  /**
   * Keep-majority's rule: more than half of the counted members, or exactly half when that half holds
   * the member with the lowest address. A node that is not counted itself earns no lease.
   */
  static boolean majority(Set<Address> answered, List<Address> counted) {
    if (counted.isEmpty()) {
      return false;
    }
    int yes = 0;
    Address lowest = null;
    for (Address a : counted) {
      yes += answered.contains(a) ? 1 : 0;
      if (lowest == null || Member.addressOrdering().compare(a, lowest) < 0) {
        lowest = a;
      }
    }
    return yes * 2 > counted.size() || (yes * 2 == counted.size() && answered.contains(lowest));
  }
}
