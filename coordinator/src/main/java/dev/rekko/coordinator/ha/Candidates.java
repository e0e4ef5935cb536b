package dev.rekko.coordinator.ha;

import dev.rekko.redis.health.ServerHealth;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which replica replaces a group's master, as Sentinel would choose: only replicas that are up, have a
 * {@code replica-priority} above 0 and whose link to the master has not been down longer than
 * {@code max-link-down}; the one with the highest replication offset first (the least data lost), then
 * the lowest priority (Redis semantics: lower is preferred), then the address. Pure.
 */
final class Candidates {
  private Candidates() {}

  /**
   * One replica as far as the choice is concerned.
   *
   * @param notUp          empty when it is up; otherwise why it is not usable (down, unknown, unreachable)
   * @param linkDownMillis how long its link to the master has been down, 0 while up
   * @param keys           keys it holds, -1 when unknown
   */
  record Candidate(String addr, String notUp, long offset, int priority, boolean linkUp, long linkDownMillis,
      long keys) {
    static Candidate down(String addr, String why) {
      return new Candidate(addr, why, 0, 0, false, 0, -1);
    }
  }

  /** The eligible replicas, best first, and why each other one is not. */
  record Ranking(List<Candidate> eligible, List<String> excluded) {
    Optional<Candidate> best() {
      return eligible.isEmpty() ? Optional.empty() : Optional.of(eligible.get(0));
    }

    /** The exclusions in one line, for logs and answers. */
    String why() {
      return excluded.isEmpty() ? "the group has no replica" : String.join("; ", excluded);
    }
  }

  static final Comparator<Candidate> ORDER = Comparator.comparingLong(Candidate::offset).reversed()
      .thenComparingInt(Candidate::priority)
      .thenComparing(Candidate::addr);

  /**
   * Ranks the replicas.
   *
   * @param needKeys only replicas known to hold keys (after a master restarted empty: an empty replica
   *                 would save nothing)
   */
  static Ranking rank(Collection<Candidate> replicas, Duration maxLinkDown, boolean needKeys) {
    List<Candidate> eligible = new ArrayList<>();
    List<String> excluded = new ArrayList<>();
    for (Candidate c : replicas) {
      String why = !c.notUp().isEmpty() ? c.notUp()
          : c.priority() <= 0 ? "replica-priority " + c.priority() + " (never promoted)"
          : !c.linkUp() && c.linkDownMillis() > maxLinkDown.toMillis()
              ? "link to the master down for " + c.linkDownMillis() + " ms (more than max-link-down)"
          : needKeys && c.keys() <= 0 ? "holds no keys"
          : "";
      if (why.isEmpty()) {
        eligible.add(c);
      } else {
        excluded.add(c.addr() + ": " + why);
      }
    }
    eligible.sort(ORDER);
    excluded.sort(null);
    return new Ranking(List.copyOf(eligible), List.copyOf(excluded));
  }

  /**
   * The group's replicas (as the topology lists them) as the nodes see them now; {@code skip} are left
   * out as "failed a moment ago".
   */
  static List<Candidate> fromView(GroupInfo group, DownDetector detector, long nowNanos, int quorum,
      Duration downAfter, Set<String> skip) {
    List<Candidate> found = new ArrayList<>();
    for (ServerInfo s : group.servers()) {
      if (s.isMaster()) {
        continue;
      }
      if (skip.contains(s.addr())) {
        found.add(Candidate.down(s.addr(), "failed to become the master a moment ago"));
      } else if (detector.objectivelyDown(s.addr(), nowNanos, quorum, downAfter)) {
        found.add(Candidate.down(s.addr(), "down for the quorum"));
      } else {
        found.add(detector.freshestUp(s.addr(), nowNanos).map(seen -> of(seen.health(),
            Duration.ofNanos(nowNanos - seen.receivedNanos()).toMillis()))
            .orElse(Candidate.down(s.addr(), "no node reaches it")));
      }
    }
    return found;
  }

  /** A replica from a node's report that is {@code ageMillis} old (a down link has been down that much longer). */
  static Candidate of(ServerHealth h, long ageMillis) {
    long linkDown = h.linkUp() ? 0 : h.linkDownMillis() + ageMillis;
    return new Candidate(h.addr(), "", h.offset(), h.priority(), h.linkUp(), linkDown, h.keys());
  }
}
