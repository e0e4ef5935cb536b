package dev.rekko.coordinator.ha;

import dev.rekko.coordinator.Coordinator.QuorumHealth;
import dev.rekko.redis.health.ServerHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The nodes' health reports combined into the quorum's view (Sentinel's SDOWN/ODOWN). Keeps each node's
 * latest report per server with the coordinator's own receipt time, so nodes' clocks never meet: a node's
 * "down since" is the receipt minus the {@code downForMillis} it reported. A report older than three
 * report intervals is no opinion (its node may have died), and only the current Up members' reports count
 * ({@link #members}). Pure state of {@link HaActor}; one thread.
 */
final class DownDetector {
  /** One node's last report on one server, as received. */
  record Seen(String node, ServerHealth health, long receivedNanos) {
    long downSinceNanos() {
      return receivedNanos - Duration.ofMillis(health.downForMillis()).toNanos();
    }

    /** When its {@code INFO} part was taken, by the coordinator's clock. */
    long infoNanos() {
      return receivedNanos - Duration.ofMillis(health.ageMillis()).toNanos();
    }
  }

  private final long staleNanos;
  private final Map<String, Map<String, Seen>> byNode = new HashMap<>();
  private Set<String> members = Set.of();

  DownDetector(Duration reportInterval) {
    this.staleNanos = reportInterval.toNanos() * 3;
  }

  /** A node's whole view replaces its previous one. */
  void report(String node, Collection<ServerHealth> servers, long nowNanos) {
    Map<String, Seen> view = new HashMap<>();
    for (ServerHealth h : servers) {
      view.put(h.addr(), new Seen(node, h, nowNanos));
    }
    byNode.put(node, view);
  }

  /** The nodes whose reports count from now on (the Up members); the others' reports are dropped. */
  void members(Set<String> upMembers) {
    members = Set.copyOf(upMembers);
    byNode.keySet().retainAll(members);
  }

  /** Whether at least {@code quorum} nodes have seen {@code addr} down, without a break, for {@code downAfter}. */
  boolean objectivelyDown(String addr, long nowNanos, int quorum, Duration downAfter) {
    return downLongEnough(addr, nowNanos, downAfter).size() >= Math.max(1, quorum);
  }

  /** The nodes that have seen {@code addr} down for at least {@code downAfter}, sorted. */
  List<String> downLongEnough(String addr, long nowNanos, Duration downAfter) {
    List<String> nodes = new ArrayList<>();
    for (Seen s : opinions(addr, nowNanos)) {
      if (!s.health().up() && nowNanos - s.downSinceNanos() >= downAfter.toNanos()) {
        nodes.add(s.node());
      }
    }
    nodes.sort(null);
    return nodes;
  }

  /** The current report of a node that reaches {@code addr}, with the newest {@code INFO} part. */
  Optional<Seen> freshestUp(String addr, long nowNanos) {
    Seen best = null;
    for (Seen s : opinions(addr, nowNanos)) {
      if (s.health().up() && (best == null || better(s, best))) {
        best = s;
      }
    }
    return Optional.ofNullable(best);
  }

  /** {@link #freshestUp}'s health alone. */
  Optional<ServerHealth> health(String addr, long nowNanos) {
    return freshestUp(addr, nowNanos).map(Seen::health);
  }

  /** Every server named by {@code addrs} or by a current report, as the quorum sees it. */
  SortedMap<String, QuorumHealth> view(Collection<String> addrs, long nowNanos, int quorum, Duration downAfter) {
    Set<String> all = new TreeSet<>(addrs);
    byNode.values().forEach(v -> all.addAll(v.keySet()));
    SortedMap<String, QuorumHealth> view = new TreeMap<>();
    for (String addr : all) {
      List<String> down = new ArrayList<>();
      List<String> seenBy = new ArrayList<>();
      for (Seen s : opinions(addr, nowNanos)) {
        seenBy.add(s.node());
        if (!s.health().up()) {
          down.add(s.node());
        }
      }
      down.sort(null);
      seenBy.sort(null);
      Optional<ServerHealth> h = health(addr, nowNanos);
      long lag = 0;
      if (h.isPresent() && h.get().isReplica()) {
        lag = health(h.get().masterAddr(), nowNanos).map(m -> Math.max(0, m.offset() - h.get().offset())).orElse(0L);
      }
      view.put(addr, new QuorumHealth(!objectivelyDown(addr, nowNanos, quorum, downAfter), down, seenBy,
          h.map(ServerHealth::role).orElse(""), h.map(ServerHealth::masterAddr).orElse(""),
          h.map(ServerHealth::offset).orElse(0L), lag, h.map(ServerHealth::linkUp).orElse(false)));
    }
    return view;
  }

  /** The current members' reports on {@code addr} that are not stale. */
  private List<Seen> opinions(String addr, long nowNanos) {
    List<Seen> found = new ArrayList<>();
    for (Map.Entry<String, Map<String, Seen>> e : byNode.entrySet()) {
      Seen s = e.getValue().get(addr);
      if (s != null && members.contains(e.getKey()) && nowNanos - s.receivedNanos() <= staleNanos) {
        found.add(s);
      }
    }
    return found;
  }

  /** A report with a role beats one without (its INFO had not answered yet); then the newer INFO wins. */
  private static boolean better(Seen a, Seen b) {
    boolean aRole = !a.health().role().isEmpty();
    boolean bRole = !b.health().role().isEmpty();
    if (aRole != bRole) {
      return aRole;
    }
    return a.infoNanos() > b.infoNanos();
  }
}
