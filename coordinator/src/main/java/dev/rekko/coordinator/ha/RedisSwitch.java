package dev.rekko.coordinator.ha;

import dev.rekko.coordinator.CoordinatorSettings;
import dev.rekko.coordinator.ha.Candidates.Candidate;
import dev.rekko.redis.admin.RedisAdmin;
import dev.rekko.redis.admin.RedisAdminException;
import dev.rekko.redis.admin.ReplicationInfo;
import dev.rekko.redis.backend.BackendAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis side of a failover, a switchover and a role repair. Every method blocks (sockets, waits): run
 * it on the coordinator's Redis dispatcher, never on an actor's thread. Once the new master has taken
 * {@code REPLICAOF NO ONE} nothing aborts any more: a server that cannot be made to follow it is skipped
 * (and repaired later), since Redis has switched and the topology must follow.
 */
final class RedisSwitch {
  private static final Logger log = LoggerFactory.getLogger(RedisSwitch.class);

  /** What Redis now looks like: the new master, and the servers that could not be pointed at it. */
  record Outcome(String chosen, long offset, List<String> skipped, String note) {}

  /** Nothing was switched; {@code status} as in {@code Coordinator.Failed}. */
  static final class Abort extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    /** No replica could be chosen at all. */
    final boolean noCandidate;
    /** The chosen replica that refused to become a master, empty otherwise. */
    final String failedCandidate;

    Abort(int status, String message, boolean noCandidate, String failedCandidate) {
      super(message, null, false, false);
      this.status = status;
      this.noCandidate = noCandidate;
      this.failedCandidate = failedCandidate;
    }
  }

  private final CoordinatorSettings settings;

  RedisSwitch(CoordinatorSettings settings) {
    this.settings = settings;
  }

  /**
   * Failover of a master that is gone (or must not stay): probes the candidates again for fresh offsets,
   * makes the best one a master and points {@code followers} at it.
   *
   * @param candidates replicas eligible by the nodes' view, in any order
   * @param followers  servers to make replicas of the chosen one (the chosen itself is skipped)
   * @param needKeys   only a replica that holds keys may be chosen
   */
  Outcome failover(List<String> candidates, List<String> followers, boolean needKeys) {
    List<Candidate> probed = candidates.stream().map(this::probe).toList();
    Candidates.Ranking ranking = Candidates.rank(probed, settings.ha().maxLinkDown(), needKeys);
    Candidate chosen = ranking.best().orElseThrow(() -> new Abort(503, "no replica can become the master: "
        + ranking.why(), true, ""));
    try (RedisAdmin admin = connect(chosen.addr())) {
      admin.replicaOfNoOne();
      rewrite(admin);
    } catch (RedisAdminException e) {
      throw new Abort(503, "cannot make " + chosen.addr() + " a master: " + e.getMessage(), false, chosen.addr());
    }
    log.info("{} is a master now (offset {})", chosen.addr(), chosen.offset());
    return new Outcome(chosen.addr(), chosen.offset(), followAll(chosen.addr(), followers), "");
  }

  /**
   * Lossless switchover while the old master is alive: pause its writes, let {@code chosen} catch up to
   * its offset, then switch roles and resume. An old master that cannot be reached is switched from like
   * a dead one (no pause, no wait), which the outcome's note says.
   */
  Outcome switchover(String oldMaster, String chosen, List<String> others) {
    Duration timeout = settings.ha().failoverTimeout();
    RedisAdmin old;
    try {
      old = connect(oldMaster);
    } catch (RedisAdminException e) {
      if (e.kind() != RedisAdminException.Kind.UNREACHABLE) {
        throw new Abort(503, "cannot pause the master " + oldMaster + ": " + e.getMessage(), false, "");
      }
      log.warn("switchover to {}: the master {} cannot be reached ({}); switching without waiting for it",
          chosen, oldMaster, e.getMessage());
      List<String> followers = new ArrayList<>(others);
      followers.add(oldMaster);
      return withNote(failover(List.of(chosen), followers, false), "the old master " + oldMaster
          + " could not be reached, so writes it took last may be lost");
    }
    try (old) {
      // Twice the wait, as a safety net should this coordinator die before UNPAUSE.
      old.call("CLIENT", "PAUSE", Long.toString(timeout.toMillis() * 2), "WRITE");
      try {
        long target = old.role().offset();
        try (RedisAdmin next = connect(chosen)) {
          awaitOffset(next, oldMaster, target, timeout);
          next.replicaOfNoOne();
          rewrite(next);
        }
        log.info("switchover: {} caught up with {} at offset {} and is a master now", chosen, oldMaster, target);
        List<String> skipped = new ArrayList<>();
        try {
          RedisRoles.follow(old, BackendAddress.parse(chosen), settings.backendUser(), settings.backendPassword());
          RedisRoles.rewriteConfig(old);
        } catch (RedisAdminException e) {
          skipped.add(oldMaster + ": " + e.getMessage());
        }
        skipped.addAll(followAll(chosen, others));
        return new Outcome(chosen, target, skipped, "");
      } finally {
        unpause(old);
      }
    } catch (RedisAdminException e) {
      throw new Abort(503, "switchover to " + chosen + " failed before it became the master: " + e.getMessage(),
          false, "");
    }
  }

  /** Makes {@code addr} follow {@code master} (role repair). */
  void repair(String addr, String master) throws RedisAdminException {
    try (RedisAdmin admin = connect(addr)) {
      RedisRoles.follow(admin, BackendAddress.parse(master), settings.backendUser(), settings.backendPassword());
      RedisRoles.rewriteConfig(admin);
    }
  }

  /** A replica as it is now: {@code INFO replication} and {@code INFO keyspace}. */
  Candidate probe(String addr) {
    try (RedisAdmin admin = connect(addr)) {
      Map<String, String> info = admin.info("replication");
      ReplicationInfo role = ReplicationInfo.parse(info);
      long linkDown = role.linkUp() ? 0 : Math.max(0, number(info.get("master_link_down_since_seconds")) * 1000);
      int priority = (int) number(info.getOrDefault("slave_priority", info.getOrDefault("replica_priority", "100")));
      return new Candidate(addr, "", role.offset(), priority, role.linkUp(), linkDown,
          RedisRoles.keys(admin.info("keyspace")));
    } catch (RedisAdminException | RuntimeException e) {
      return Candidate.down(addr, "unreachable (" + e.getMessage() + ")");
    }
  }

  private void awaitOffset(RedisAdmin replica, String oldMaster, long target, Duration timeout)
      throws RedisAdminException {
    BackendAddress master = BackendAddress.parse(oldMaster);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      ReplicationInfo role = replica.role();
      if (!role.follows(master.host(), master.port())) {
        throw new Abort(409, replica.server() + " does not replicate the master " + oldMaster + " (it "
            + (role.replica() ? "follows " + role.masterAddress() : "is a master") + "); nothing was switched",
            false, "");
      }
      if (role.offset() >= target) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new Abort(503, replica.server() + " did not catch up with the master within " + timeout
            + " (offset " + role.offset() + " of " + target + "); nothing was switched", false, "");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Abort(503, "interrupted while waiting for " + replica.server(), false, "");
      }
    }
  }

  private List<String> followAll(String chosen, List<String> followers) {
    List<String> skipped = new ArrayList<>();
    for (String f : followers) {
      if (f.equals(chosen)) {
        continue;
      }
      try {
        repair(f, chosen);
      } catch (RedisAdminException | RuntimeException e) {
        log.warn("{} could not be made a replica of {} ({}); role repair will retry", f, chosen, e.getMessage());
        skipped.add(f + ": " + e.getMessage());
      }
    }
    return skipped;
  }

  /** Best effort: the server has its new role already, which is what matters. */
  private static void rewrite(RedisAdmin admin) {
    try {
      RedisRoles.rewriteConfig(admin);
    } catch (RedisAdminException e) {
      log.warn("{}: CONFIG REWRITE failed ({})", admin.server(), e.getMessage());
    }
  }

  private void unpause(RedisAdmin old) {
    try {
      old.call("CLIENT", "UNPAUSE");
    } catch (RedisAdminException e) {
      log.warn("{}: CLIENT UNPAUSE failed ({}); its pause ends by itself", old.server(), e.getMessage());
    }
  }

  private RedisAdmin connect(String addr) throws RedisAdminException {
    return RedisAdmin.connect(addr, settings.backendUser(), settings.backendPassword(), settings.backendTls(),
        settings.serverCheckTimeout());
  }

  private static Outcome withNote(Outcome o, String note) {
    return new Outcome(o.chosen(), o.offset(), o.skipped(), note);
  }

  private static long number(String s) {
    try {
      return s == null ? 0 : Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
