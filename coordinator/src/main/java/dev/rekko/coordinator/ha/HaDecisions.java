package dev.rekko.coordinator.ha;

import dev.rekko.coordinator.Coordinator.HealthView;
import dev.rekko.redis.health.ServerHealth;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * {@link HaActor}'s state and decisions, apart from the messaging: which groups to fail over, which
 * stale holds to lift, which servers to repair, and the counters. Each decision is logged with its reason.
 * Used on the actor's thread only.
 */
final class HaDecisions {
  /**
   * A group to act on: lift a hold left by a stopped coordinator ({@code releaseOnly}), or fail over to
   * one of {@code candidates}.
   */
  record Decision(GroupInfo group, List<String> candidates, String reason, boolean needKeys, boolean releaseOnly) {}

  static final List<String> COUNTERS = List.of("failovers", "failovers_failed", "switchovers", "switchovers_failed",
      "role_repairs", "no_candidate");

  private final HaSettings ha;
  private final Supplier<Logger> log;
  private final DownDetector detector;
  private final SortedMap<String, Long> counters = new TreeMap<>();
  private final Map<Integer, Long> notBefore = new HashMap<>();
  private final Map<Integer, Set<String>> failedCandidates = new HashMap<>();
  private final Map<Integer, Long> heldSince = new HashMap<>();
  private final Map<String, String> runIds = new HashMap<>();
  private final Map<String, Long> lastRepair = new HashMap<>();
  private final Map<Integer, Long> switchedAt = new HashMap<>();
  private final Set<String> returning = new HashSet<>();
  private Set<String> downBefore = Set.of();
  private int quorum = 1;
  /**
   * How much later than the truth a report's INFO time ({@code receipt - ageMillis}) may be: a node's view
   * of a server is as old as its last check (up to a check interval, plus two ping timeouts for a slow
   * probe), a change may wait a check interval to be sent, and the message travels. A switchover's old
   * roles, reported within this after it, once made a finished switchover look cut short.
   */
  private final long infoSkew;

  HaDecisions(HaSettings ha, Supplier<Logger> log) {
    this.ha = ha;
    this.infoSkew = ha.checkInterval().multipliedBy(2).plus(ha.pingTimeout().multipliedBy(2))
        .plus(Duration.ofSeconds(1)).toNanos();
    this.log = log;
    this.detector = new DownDetector(ha.reportInterval());
    COUNTERS.forEach(c -> counters.put(c, 0L));
  }

  DownDetector detector() {
    return detector;
  }

  HealthView view(Topology t, Set<String> members, long now) {
    quorum = ha.quorumOf(members.size());
    return new HealthView(detector.view(addrs(t), now, quorum, ha.downAfter()), new TreeMap<>(counters));
  }

  boolean masterDown(GroupInfo g, Set<String> members, long now) {
    quorum = ha.quorumOf(members.size());
    return g.master().map(m -> detector.objectivelyDown(m.addr(), now, quorum, ha.downAfter())).orElse(false);
  }

  String downNodes(String addr, long now) {
    return "seen down for " + ha.downAfter().toMillis() + " ms or more by " + detector.downLongEnough(addr, now,
        ha.downAfter()) + ", quorum " + quorum;
  }

  /** What to do now, for groups not in {@code busy} (a procedure or a lift under way). */
  List<Decision> decide(Topology t, Set<String> members, Set<Integer> busy, long now) {
    quorum = ha.quorumOf(members.size());
    List<Decision> out = new ArrayList<>();
    Set<String> keepRunId = new HashSet<>();
    for (GroupInfo g : t.groups().values()) {
      g.master().ifPresent(m -> keepRunId.add(m.addr()));
      if (busy.contains(g.id())) {
        continue;
      }
      if (g.switching()) {
        long since = heldSince.computeIfAbsent(g.id(), k -> now);
        if (now - since >= ha.failoverTimeout().toNanos()) {
          log.get().warn("group {} is held (switching) with no failover or switchover running, for {} at least "
              + "(a coordinator stopped mid-switch?); lifting the hold", g.id(), ha.failoverTimeout());
          heldSince.remove(g.id());
          out.add(new Decision(g, List.of(), "stale hold", false, true));
        }
        continue;
      }
      heldSince.remove(g.id());
      Optional<ServerInfo> master = g.master();
      if (master.isEmpty() || now < notBefore.getOrDefault(g.id(), Long.MIN_VALUE)) {
        continue;
      }
      String m = master.get().addr();
      Optional<String> reason = Optional.empty();
      boolean needKeys = false;
      // Only INFO surely taken after this coordinator's last switch of the group: older INFO shows the old
      // roles, and a report's INFO time is known only roughly (see infoSkew).
      Long switched = switchedAt.get(g.id());
      Optional<String> adopt = RoleChecks.switchedInRedis(g, a -> detector.freshestUp(a, now)
          .filter(seen -> switched == null || seen.infoNanos() - switched > infoSkew)
          .map(DownDetector.Seen::health));
      if (detector.objectivelyDown(m, now, quorum, ha.downAfter())) {
        reason = Optional.of("master " + m + " is down for the quorum: " + downNodes(m, now));
      } else if (adopt.isPresent()) {
        reason = Optional.of("the master " + m + " replicates " + adopt.get() + ", which says it is a master (a "
            + "switch cut short by a coordinator that stopped?): adopting it");
      } else {
        Optional<ServerHealth> h = detector.health(m, now);
        List<ServerHealth> replicas = g.servers().stream().filter(s -> !s.isMaster())
            .flatMap(s -> detector.health(s.addr(), now).stream()).toList();
        reason = h.flatMap(health -> RoleChecks.restartedEmpty(runIds.get(m), health, replicas));
        needKeys = reason.isPresent();
      }
      if (reason.isEmpty() || !ha.enabled()) {
        keepRunId.remove(m);
        continue;
      }
      if (adopt.isPresent()) {
        // Redis switched already: the topology follows it (the probe still checks it answers).
        out.add(new Decision(g, List.of(adopt.get()), reason.get(), false, false));
        continue;
      }
      Candidates.Ranking ranking = Candidates.rank(Candidates.fromView(g, detector, now, quorum, ha.downAfter(),
          failedCandidates.getOrDefault(g.id(), Set.of())), ha.maxLinkDown(), needKeys);
      if (ranking.eligible().isEmpty()) {
        // Candidates that failed a moment ago get another chance next time.
        failedCandidates.remove(g.id());
        notBefore.put(g.id(), now + ha.failoverTimeout().toNanos());
        count("no_candidate");
        log.get().warn("group {}: {}, but no replica can replace it ({}); looking again in {}", g.id(), reason.get(),
            ranking.why(), ha.failoverTimeout());
        continue;
      }
      out.add(new Decision(g, ranking.eligible().stream().map(Candidates.Candidate::addr).toList(), reason.get(),
          needKeys, false));
    }
    rememberRunIds(t, keepRunId, now);
    return out;
  }

  /** A procedure ended: count it, log it, and for a failed failover wait {@code failover-timeout} before the next. */
  void ended(HaActor.Ended m, long now) {
    switchedAt.put(m.group(), now);
    if (m.ok()) {
      count(m.kind() + "s");
      failedCandidates.remove(m.group());
      notBefore.remove(m.group());
      log.get().info("group {}: {} done in {} ms: {} is the master{}", m.group(), m.kind(), m.took().toMillis(),
          m.outcome().chosen(), m.outcome().skipped().isEmpty() ? ""
              : "; not following it yet (role repair retries): " + m.outcome().skipped());
      return;
    }
    RedisSwitch.Abort abort = m.abort();
    count(abort != null && abort.noCandidate ? "no_candidate" : m.kind() + "s_failed");
    if (abort != null && !abort.failedCandidate.isEmpty()) {
      failedCandidates.computeIfAbsent(m.group(), k -> new HashSet<>()).add(abort.failedCandidate);
    }
    if (m.kind().equals("failover")) {
      notBefore.put(m.group(), now + ha.failoverTimeout().toNanos());
    }
    log.get().warn("group {}: {} failed after {} ms: {}{}", m.group(), m.kind(), m.took().toMillis(), m.answer(),
        m.kind().equals("failover") ? "; looking again in " + ha.failoverTimeout() : "");
  }

  /** Every repair due now (role repair's periodic pass). */
  List<RoleChecks.Repair> repairs(Topology t, Set<Integer> running, long now) {
    List<RoleChecks.Repair> due = new ArrayList<>();
    if (!ha.enabled()) {
      return due;
    }
    for (GroupInfo g : t.groups().values()) {
      if (g.switching() || running.contains(g.id())) {
        continue;
      }
      for (RoleChecks.Repair r : RoleChecks.repairs(g, addr -> detector.health(addr, now))) {
        Long last = lastRepair.get(r.addr());
        if (last == null || now - last >= ha.repairInterval().toNanos()) {
          lastRepair.put(r.addr(), now);
          due.add(r);
        }
      }
    }
    return due;
  }

  /** Repairs of servers that came back since they were last down for the quorum, as soon as their role is known. */
  List<RoleChecks.Repair> returned(Topology t, Set<Integer> running, long now) {
    Set<String> all = addrs(t);
    Set<String> downNow = new HashSet<>();
    for (String addr : all) {
      if (detector.objectivelyDown(addr, now, quorum, ha.downAfter())) {
        downNow.add(addr);
      } else if (downBefore.contains(addr)) {
        log.get().info("{} is back (no longer down for the quorum)", addr);
        returning.add(addr);
      }
    }
    downBefore = downNow;
    returning.retainAll(all);
    returning.removeAll(downNow);
    List<RoleChecks.Repair> due = new ArrayList<>();
    for (String addr : List.copyOf(returning)) {
      Optional<ServerHealth> h = detector.health(addr, now);
      if (h.isEmpty() || h.get().role().isEmpty()) {
        continue;
      }
      returning.remove(addr);
      for (GroupInfo g : t.groups().values()) {
        if (!ha.enabled() || g.switching() || running.contains(g.id()) || g.server(addr).isEmpty()) {
          continue;
        }
        RoleChecks.repairs(g, a -> detector.health(a, now)).stream().filter(r -> r.addr().equals(addr)).forEach(r -> {
          lastRepair.put(addr, now);
          due.add(r);
        });
      }
    }
    return due;
  }

  void repaired(RoleChecks.Repair r, Throwable error) {
    if (error == null) {
      count("role_repairs");
      log.get().info("group {}: repaired {}: it follows {} now", r.group(), r.addr(), r.master());
    } else {
      log.get().warn("group {}: repair of {} failed ({}); retrying in {}", r.group(), r.addr(), error.getMessage(),
          ha.repairInterval());
    }
  }

  private void rememberRunIds(Topology t, Set<String> keep, long now) {
    for (String addr : addrs(t)) {
      if (!keep.contains(addr)) {
        detector.health(addr, now).map(ServerHealth::runId).filter(r -> !r.isEmpty())
            .ifPresent(r -> runIds.put(addr, r));
      }
    }
  }

  private void count(String counter) {
    counters.merge(counter, 1L, Long::sum);
  }

  private static Set<String> addrs(Topology t) {
    Set<String> all = new HashSet<>();
    t.groups().values().forEach(g -> g.servers().forEach(s -> all.add(s.addr())));
    return all;
  }
}
