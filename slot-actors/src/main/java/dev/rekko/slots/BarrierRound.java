package dev.rekko.slots;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/**
 * The book-keeping of one slot's barrier: which cluster members must answer, which agents to ask, who has
 * answered. Every Up, Leaving or Exiting member counts, reachable or not, so an unreachable node holds the
 * barrier until the Split Brain Resolver has downed it; by then it has fenced itself and no longer
 * serves. Joining and WeaklyUp members do not count: a node loads its topology only once it is Up, with a
 * majority read that already holds the barrier's route. A counted member whose agent is not registered
 * yet is waited for.
 */
final class BarrierRound {
  final long epoch;
  private final Address self;
  private final Set<Address> answered = new HashSet<>();
  private Map<Address, ActorRef<Barrier.Request>> agents = new HashMap<>();

  BarrierRound(long epoch, Address self) {
    this.epoch = epoch;
    this.self = self;
  }

  /** Replaces the known agents with the Receptionist's current listing. */
  void agents(Set<ActorRef<Barrier.Request>> listing) {
    Map<Address, ActorRef<Barrier.Request>> byAddress = new HashMap<>();
    for (ActorRef<Barrier.Request> a : listing) {
      Address address = a.path().address();
      byAddress.put(address.hasLocalScope() ? self : address, a);
    }
    agents = byAddress;
  }

  void answered(String node) {
    answered.add(org.apache.pekko.actor.AddressFromURIString.parse(node));
  }

  /** The agents of members that have not answered yet (members without an agent are simply not listed). */
  Set<ActorRef<Barrier.Request>> toAsk(Iterable<Member> members) {
    Set<ActorRef<Barrier.Request>> ask = new HashSet<>();
    for (Member m : members) {
      if (counts(m) && !answered.contains(m.address())) {
        ActorRef<Barrier.Request> agent = agents.get(m.address());
        if (agent != null) {
          ask.add(agent);
        }
      }
    }
    return ask;
  }

  /** True when every member that counts has answered. */
  boolean complete(Iterable<Member> members) {
    for (Member m : members) {
      if (counts(m) && !answered.contains(m.address())) {
        return false;
      }
    }
    return true;
  }

  /** Missing members, for logs and the API. */
  String missing(Iterable<Member> members) {
    StringBuilder sb = new StringBuilder();
    for (Member m : members) {
      if (counts(m) && !answered.contains(m.address())) {
        sb.append(sb.length() == 0 ? "" : ", ").append(m.address());
      }
    }
    return sb.toString();
  }

  private static boolean counts(Member m) {
    MemberStatus s = m.status();
    return s == MemberStatus.up() || s == MemberStatus.leaving() || s == MemberStatus.exiting();
  }
}
