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
  /** After the first slot got past its barrier: the fault finds slots in every state. */
  private static final Duration FAULT_DELAY = Duration.ofSeconds(1);
  /** A SIGSTOP lasts at least this long, and until the cluster has downed the frozen node. */
  private static final Duration MIN_PAUSE = Duration.ofSeconds(12);
  private static final Duration MAX_PAUSE = Duration.ofSeconds(60);
  /** Generous: a hang fails the test, the time it took is only reported. */
  private static final Duration MIGRATION_DEADLINE = Duration.ofSeconds(120);

  @Test
  @Order(1)
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void sigkillOfANodeMidMigration() throws Exception {
    try (ChaosRun run = ChaosRun.start("kill-node")) {
      ChaosCluster cluster = run.cluster();
      ChaosNode victim = nonCoordinator(cluster);
      run.startClients(twoPerNode(cluster));
      run.startMigration(another(cluster, victim));
      run.faultAt(FAULT_DELAY, "SIGKILL node " + victim.index(), victim::kill);
      run.awaitMigrationDone(MIGRATION_DEADLINE);
      run.finish();
    }
  }

  /**
   * The frozen node is downed and the migration goes on without it; when it runs again it must not
   * serve a single command with the routes it had before the pause (those slots may have moved since).
   * The node's lease (FenceMonitor) makes it refuse every command when it wakes; before the lease it
   * answered commands for the moment it took to learn that it was downed, and this test lost writes.
   */
  @Test
  @Order(2)
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void sigstopOfANodeLongerThanStableAfterMidMigration() throws Exception {
    try (ChaosRun run = ChaosRun.start("stop-node")) {
      ChaosCluster cluster = run.cluster();
      ChaosNode victim = nonCoordinator(cluster);
      ChaosNode other = another(cluster, victim);
      // Four of the eight clients start on the victim, so several writes wait in its sockets while it
      // is frozen. Their reply timeout (ChaosRun.COMMAND_TIMEOUT) is longer than the pause.
      run.startClients(List.of(cluster.node(0), cluster.node(1), cluster.node(2), victim,
          cluster.node(0), cluster.node(1), cluster.node(2), victim));
      run.startMigration(other);
      run.faultAt(FAULT_DELAY, "SIGSTOP node " + victim.index(), victim::freeze);
      // At least 12 s, and until the others have downed it: on a busy machine their failure detector,
      // used to late heartbeats, took ~10 s to call it unreachable, and the resolver waits stable-after
      // more. A node that is back before that was never excluded from a barrier, so it held the
      // migration up while frozen and its routes were still right when it woke.
      long frozenAt = System.nanoTime();
      Thread.sleep(MIN_PAUSE.toMillis());
      while (!cluster.downed(victim)) {
        if (System.nanoTime() - frozenAt > MAX_PAUSE.toNanos()) {
          throw new AssertionError("node " + victim.index() + " was not downed within " + MAX_PAUSE.toSeconds()
              + " s of SIGSTOP (stable-after " + ChaosCluster.STABLE_AFTER + ")\n" + cluster.logs());
        }
        Thread.sleep(200);
      }
      Thread.sleep(1000);
      run.note(String.format("downed; SIGCONT after %.1f s frozen (stable-after %s)",
          (System.nanoTime() - frozenAt) / 1e9, ChaosCluster.STABLE_AFTER));
      long[] before = run.sentTo(victim);
      victim.thaw();
      // Downed while frozen, it should leave on its own once it runs again (rekko.cluster.on-downed = exit).
      OptionalInt exit = victim.awaitExit(30_000);
      long[] after = run.sentTo(victim);
      // Each client has one command at a time: a command sent to the victim after SIGCONT followed an
      // answer (or a reconnect), so this shows how long the woken node went on answering.
      run.note("after SIGCONT node " + victim.index() + " "
          + (exit.isPresent() ? "exited with " + exit.getAsInt() : "still runs 30 s later")
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
    try (ChaosRun run = ChaosRun.start("kill-coordinator")) {
      ChaosCluster cluster = run.cluster();
      ChaosNode victim = cluster.coordinator();
      run.startClients(twoPerNode(cluster));
      run.startMigration(another(cluster, victim));
      run.faultAt(FAULT_DELAY, "SIGKILL node " + victim.index() + " (the coordinator's)", victim::kill);
      run.awaitMigrationDone(MIGRATION_DEADLINE);
      run.note("the coordinator moved to node " + cluster.coordinator().index());
      run.finish();
    }
  }

  @Test
  @Order(4)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void sigkillOfTheWholeClusterMidMigrationAndARestart() throws Exception {
    try (ChaosRun run = ChaosRun.start("kill-all")) {
      ChaosCluster cluster = run.cluster();
      run.startClients(twoPerNode(cluster));
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

  private static List<ChaosNode> twoPerNode(ChaosCluster cluster) {
    List<ChaosNode> nodes = cluster.nodes();
    return List.of(nodes.get(0), nodes.get(1), nodes.get(2), nodes.get(0), nodes.get(1), nodes.get(2));
  }

  /** A node that is not {@code victim}, to ask for the migration through. */
  private static ChaosNode another(ChaosCluster cluster, ChaosNode victim) {
    return cluster.nodes().stream().filter(n -> n != victim).findFirst().orElseThrow();
  }

  /** The last node that does not run the coordinator. */
  private static ChaosNode nonCoordinator(ChaosCluster cluster) throws InterruptedException {
    ChaosNode coordinator = cluster.coordinator();
    return cluster.nodes().stream().filter(n -> n != coordinator).reduce((a, b) -> b).orElseThrow();
  }
}
