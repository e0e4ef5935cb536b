package dev.rekko.multinode.chaos;

import dev.rekko.node.consistency.Report;
import dev.rekko.redis.launcher.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Failover and switchover of a group's master on real processes ({@link FailoverCluster}: three nodes,
 * two groups of a master and a replica), under the consistency checker's load through every node. The
 * scenarios share one cluster while it is healthy (durable writes off), the durable-writes scenario
 * gets its own; each prints one {@code FAILOVER} line (see {@link FailoverRun}) with what was measured:
 * from the kill to the first write a node accepts for the group, lost and extra keys.
 *
 * <p>Not here: a master that only some nodes see down (the quorum). Every node checks a server at the
 * same address, so one node cannot be cut from it without a change to the product; the coordinator's
 * unit tests of the quorum (DownDetector) cover it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverTest {
  private static final Map<String, String> ASYNC = Map.of();
  private static final Map<String, String> DURABLE = Map.of("rekko.ha.durable-writes", "on");
  /** Without durable writes a failover may lose what the replica had not received; a few dozen keys at most. */
  private static final long ASYNC_LOSS_BOUND = 120;
  private static final Duration MIGRATION_DEADLINE = Duration.ofSeconds(120);
  private static final int FILLER_KEYS = 20_000;

  private static FailoverCluster shared;
  private static int clusters;

  /**
   * Kill -9 of group 1's master: a node accepts writes to the group again (reported: normally within
   * down-after + 2 s), its replica is the new master on every node. Without durable writes the writes the
   * replica had not received are lost, nothing else. The old master then comes back empty, with stale
   * values planted in it: it must become a replica of the new master and never serve a command, so
   * after its return no more keys are lost and no planted value shows.
   */
  @Test
  @Order(1)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void sigkillOfAMasterUnderLoadThenItReturnsAsAReplica() throws Exception {
    FailoverCluster fc = cluster(ASYNC, 1);
    try (FailoverRun run = new FailoverRun("kill-master", fc)) {
      RedisServer master = fc.master(1);
      RedisServer replica = fc.others(1, master).get(0);
      run.startClients();
      Duration accepted = run.killMaster(1, master);
      FailoverRun.check(fc.groups().settledMaster(1).orElse("").equals(replica.address()),
          "the new master of group 1 is not its replica " + replica.address() + ":" + fc.groups().describe(1));
      FailoverRun.check(accepted.compareTo(FailoverRun.ACCEPT_BOUND) < 0, "writes to group 1 were refused for "
          + accepted.toMillis() + " ms after the kill");
      run.awaitAcked(1000);
      Report afterFailover = run.verifyNow();
      run.note("after the failover: lost=" + afterFailover.lost() + " extra=" + afterFailover.extra()
          + " readYourWritesViolations=" + afterFailover.readYourWritesViolations());
      run.restartAsStale(master.address(), 1, 50);
      Duration again = WriteProbe.forGroup(fc.cluster(), fc.cluster().node(0), 1)
          .awaitAccepted(System.nanoTime(), Duration.ofSeconds(30));
      run.note(String.format("with the old master back, a write to group 1 took %.2f s", FailoverRun.seconds(again)));
      FailoverRun.check(fc.groups().settledMaster(1).orElse("").equals(replica.address()),
          "group 1's master changed again when the old one returned:" + fc.groups().describe(1));
      Report end = run.finish(FailoverRun.Verdict.upTo(ASYNC_LOSS_BOUND));
      FailoverRun.check(end.lost() == afterFailover.lost(), "keys were lost after the failover, with the old master"
          + " back: " + afterFailover.lost() + " then " + end.lost() + "\n" + end);
    }
  }

  /**
   * {@code POST /api/groups/1/promote} of the replica while the clients write: every node holds the
   * group's commands, the old master's writes pause until the replica has them all, then the roles
   * swap. Nothing is lost, the old master follows the new one, and the new one stays the master.
   */
  @Test
  @Order(2)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void switchoverUnderLoadLosesNothing() throws Exception {
    FailoverCluster fc = cluster(ASYNC, 1);
    try (FailoverRun run = new FailoverRun("switchover", fc)) {
      RedisServer master = fc.master(1);
      RedisServer replica = fc.others(1, master).get(0);
      run.startClients();
      Report before = run.report();
      long start = System.nanoTime();
      fc.cluster().api(fc.cluster().node(1)).post("/api/groups/1/promote", "{\"addr\":\"" + replica.address() + "\"}");
      Duration answered = Duration.ofNanos(System.nanoTime() - start);
      String now = fc.groups().awaitSettledMaster(1, Duration.ofSeconds(30));
      Duration settled = Duration.ofNanos(System.nanoTime() - start);
      Report after = run.report();
      FailoverRun.check(now.equals(replica.address()), "group 1's master is " + now + " after promoting "
          + replica.address() + ":" + fc.groups().describe(1));
      Duration follows = fc.awaitFollows(master, replica, Duration.ofSeconds(30));
      run.note(String.format("promote of %s answered after %.2f s, every node names it %.2f s after the request,"
              + " the old master %s follows it %.2f s later; meanwhile %d commands in doubt, %d error replies;"
              + " lastFailover %s", replica.address(), FailoverRun.seconds(answered), FailoverRun.seconds(settled),
          master.address(), FailoverRun.seconds(follows), after.inDoubt() - before.inDoubt(),
          after.failed() - before.failed(), run.failoverOf(1)));
      run.finish(FailoverRun.Verdict.lossless());
      // Nothing may switch it back: stale health reports from before the switch once did ("adopting" the old master).
      String end = fc.groups().awaitSettledMaster(1, Duration.ofSeconds(30));
      FailoverRun.check(end.equals(replica.address()), "group 1's master went back to " + end + " after the switchover"
          + " to " + replica.address() + ":" + fc.groups().describe(1));
    }
  }

  /** Kill -9 of the source's master while a few hundred of its slots migrate to group 2. */
  @Test
  @Order(3)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void sigkillOfTheSourceMasterMidMigration() throws Exception {
    killMidMigration("kill-source-master", 0, 255, 1);
  }

  /** Kill -9 of the target's master while a few hundred slots of group 1 migrate to it. */
  @Test
  @Order(4)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void sigkillOfTheTargetMasterMidMigration() throws Exception {
    killMidMigration("kill-target-master", 256, 511, 2);
  }

  /**
   * As the first scenario, on a cluster with {@code rekko.ha.durable-writes = on}: a write is answered
   * once a replica has it, so the failover loses nothing. The groups have two replicas: with one, the
   * new master would have none left to confirm a write, and would refuse every write ({@code
   * NOREPLICAS}) until the old master returned. The replica that is not promoted must follow the new
   * master.
   */
  @Test
  @Order(5)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void sigkillOfAMasterWithDurableWritesLosesNothing() throws Exception {
    FailoverCluster fc = cluster(DURABLE, 2);
    try (FailoverRun run = new FailoverRun("kill-master-durable", fc)) {
      RedisServer master = fc.master(2);
      List<RedisServer> replicas = fc.others(2, master);
      run.startClients();
      Duration accepted = run.killMaster(2, master);
      RedisServer promoted = fc.master(2);
      FailoverRun.check(replicas.contains(promoted), "the new master of group 2 is not one of its replicas "
          + replicas + ":" + fc.groups().describe(2));
      for (RedisServer r : replicas) {
        if (r != promoted) {
          Duration follows = fc.awaitFollows(r, promoted, Duration.ofSeconds(30));
          run.note(String.format("the other replica %s follows the new master %.2f s after it was named",
              r.address(), FailoverRun.seconds(follows)));
        }
      }
      FailoverRun.check(accepted.compareTo(FailoverRun.ACCEPT_BOUND) < 0, "writes to group 2 were refused for "
          + accepted.toMillis() + " ms after the kill");
      run.finish(FailoverRun.Verdict.lossless());
    }
  }

  /**
   * Migrates slots {@code from..to} (ONLINE at group 1, {@link #FILLER_KEYS} filler keys in them) to
   * group 2 and kills group {@code victimGroup}'s master 1 s after the first slot passed its barrier.
   * The migration must complete, leave no key of those slots on group 1, and invent nothing; keys the
   * dead master had not replicated are reported, as are filler keys missing at the target.
   */
  private void killMidMigration(String name, int from, int to, int victimGroup) throws Exception {
    FailoverCluster fc = cluster(ASYNC, 1);
    try (FailoverRun run = new FailoverRun(name, fc)) {
      RedisServer source = fc.master(1);
      BackendKeys.loadFiller(source, FILLER_KEYS, from, to);
      BackendGroups.awaitReplicated(source, Duration.ofSeconds(30));
      RedisServer victim = fc.master(victimGroup);
      run.startClients();
      Duration[] accepted = new Duration[1];
      SlotWatch watch = run.migrateAndStrike(from, to, 2, Duration.ofSeconds(1),
          () -> accepted[0] = run.killMaster(victimGroup, victim));
      run.awaitMigrated(watch, 2, MIGRATION_DEADLINE);
      RedisServer newSource = fc.master(1);
      RedisServer target = fc.master(2);
      long left = BackendKeys.keysOfSlots(newSource, from, to, 0) + BackendKeys.keysOfSlots(newSource, from, to, 1);
      long filler = BackendKeys.fillerKeys(target, from, to);
      run.note("left on group 1: " + left + ", filler at group 2: " + filler + "/" + FILLER_KEYS);
      run.restartAsStale(victim.address(), victimGroup, 0);
      FailoverRun.check(accepted[0].compareTo(FailoverRun.ACCEPT_BOUND) < 0, "writes to group " + victimGroup
          + " were refused for " + accepted[0].toMillis() + " ms after the kill");
      run.finish(FailoverRun.Verdict.upTo(ASYNC_LOSS_BOUND));
      FailoverRun.check(left == 0, left + " keys of the migrated slots " + from + ".." + to + " stayed on group 1 ("
          + newSource.address() + ")");
    }
  }

  /**
   * The shared cluster when it has these settings and replicas and is healthy; else a new one (the old one
   * closed first: two clusters at once would crowd two cores).
   */
  private static FailoverCluster cluster(Map<String, String> settings, int replicas) throws Exception {
    if (shared != null && shared.settings().equals(settings) && shared.replicas() == replicas
        && shared.healthy(Duration.ofSeconds(60))) {
      return shared;
    }
    if (shared != null) {
      shared.close();
      shared = null;
    }
    clusters++;
    shared = FailoverCluster.start("failover-" + clusters + (settings.isEmpty() ? "" : "-durable"), settings,
        replicas);
    return shared;
  }

  @AfterAll
  static void closeCluster() {
    if (shared != null) {
      shared.close();
      shared = null;
    }
  }
}
