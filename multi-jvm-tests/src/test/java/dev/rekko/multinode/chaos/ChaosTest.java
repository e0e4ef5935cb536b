package dev.rekko.multinode.chaos;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Crashes and freezes of real node processes in the middle of a migration of 512 slots, while the
 * consistency checker's clients write through every node, the victim included. Each scenario starts a
 * fresh cluster ({@link ChaosRun}) and ends with the checker's verdict: no acknowledged write lost,
 * no value that no write explains. One summary line per scenario goes to the test output and to
 * {@code target/chaos/summary.txt}; the nodes' logs stay in {@code target/chaos/<scenario>/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosTest {
  /** Two clients start on each node. */
  private static final List<Integer> SPREAD = List.of(0, 1, 2, 0, 1, 2);
  private static final Duration FAULT_DELAY = Duration.ofSeconds(1);
  /** Generous: a hang fails the test, the time it took is only reported. */
  private static final Duration MIGRATION_DEADLINE = Duration.ofSeconds(120);

  @Test
  @Order(1)
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void sigkillOfANodeMidMigration() throws Exception {
    try (ChaosRun run = ChaosRun.start("kill-node", SPREAD)) {
      ChaosNode victim = nonCoordinator(run);
      run.startMigration(another(run, victim));
      run.faultAt(FAULT_DELAY, "SIGKILL node " + victim.index(), victim::kill);
      run.awaitMigrationDone(MIGRATION_DEADLINE);
      run.finish();
    }
  }

  @Test
  @Order(2)
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void sigstopOfANodeLongerThanStableAfterMidMigration() throws Exception {
    // Four of the eight clients start on the victim, so several writes wait in its sockets while it
    // is frozen. Their reply timeout (ChaosRun.COMMAND_TIMEOUT) is longer than the pause.
    try (ChaosRun run = ChaosRun.start("stop-node", List.of(0, 1, 2, 2, 0, 1, 2, 2))) {
      ChaosNode victim = run.cluster().node(2);
      if (victim == run.cluster().coordinator()) {
        throw new AssertionError("node 2 runs the coordinator; this scenario freezes another node");
      }
      Duration pause = Duration.ofSeconds(12);
      run.startMigration(another(run, victim));
      run.faultAt(FAULT_DELAY, "SIGSTOP node 2 for " + pause.toSeconds() + " s (stable-after "
          + ChaosCluster.STABLE_AFTER + ")", victim::freeze);
      Thread.sleep(pause.toMillis());
      long[] before = run.sentTo(victim);
      victim.thaw();
      // Downed while frozen, it should leave on its own once it runs again (rekko.cluster.on-downed = exit).
      OptionalInt exit = victim.awaitExit(30_000);
      long[] after = run.sentTo(victim);
      // Each client has one command at a time: a command sent to the victim after SIGCONT followed an
      // answer (or a reconnect), so this shows how long the woken node went on answering.
      run.note("after SIGCONT node 2 " + (exit.isPresent() ? "exited with " + exit.getAsInt() : "still runs 30 s later")
          + "; meanwhile its clients sent it " + (after[0] - before[0]) + " commands, and all clients got "
          + (after[1] - before[1]) + " error replies");
      run.awaitMigrationDone(MIGRATION_DEADLINE);
      run.finish();
    }
  }

  @Test
  @Order(3)
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void sigkillOfTheCoordinatorsNodeMidMigration() throws Exception {
    try (ChaosRun run = ChaosRun.start("kill-coordinator", SPREAD)) {
      ChaosNode victim = run.cluster().coordinator();
      run.startMigration(another(run, victim));
      run.faultAt(FAULT_DELAY, "SIGKILL node " + victim.index() + " (the coordinator's)", victim::kill);
      run.awaitMigrationDone(MIGRATION_DEADLINE);
      ChaosNode next = run.cluster().coordinator();
      run.note("coordinator moved to node " + next.index());
      run.finish();
    }
  }

  @Test
  @Order(4)
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void sigkillOfTheWholeClusterMidMigrationAndARestart() throws Exception {
    try (ChaosRun run = ChaosRun.start("kill-all", SPREAD)) {
      ChaosCluster cluster = run.cluster();
      run.startMigration(cluster.node(0));
      run.faultAt(FAULT_DELAY, "SIGKILL all 3 nodes, then start them again on the same ports and data",
          () -> cluster.nodes().forEach(ChaosNode::kill));
      long restart = System.nanoTime();
      cluster.startAll(ChaosRun.READY);
      run.note(String.format("cluster serving again %.1f s after the kill", (System.nanoTime() - restart) / 1e9));
      run.awaitMigrationDone(MIGRATION_DEADLINE);
      run.finish();
    }
  }

  /** A node that is not {@code victim}, to ask for the migration through. */
  private static ChaosNode another(ChaosRun run, ChaosNode victim) {
    return run.cluster().nodes().stream().filter(n -> n != victim).findFirst().orElseThrow();
  }

  /** A node that does not run the coordinator (the scenario kills it). */
  private static ChaosNode nonCoordinator(ChaosRun run) throws InterruptedException {
    ChaosNode coordinator = run.cluster().coordinator();
    return run.cluster().nodes().stream().filter(n -> n != coordinator).findFirst().orElseThrow();
  }
}
