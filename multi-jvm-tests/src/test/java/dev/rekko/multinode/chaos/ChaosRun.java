package dev.rekko.multinode.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rekko.node.consistency.ConsistencyChecker;
import dev.rekko.node.consistency.Report;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import redis.clients.jedis.HostAndPort;

/**
 * One chaos scenario from start to verdict: a fresh cluster of three nodes and two groups, filler keys
 * on group 1, the consistency checker writing through the nodes, a migration of slots 0..511 from
 * group 1 to group 2, a fault while it runs, the wait until it completes, and the checker's final
 * verification. {@link #finish()} prints one summary line and fails on any lost or extra write.
 */
final class ChaosRun implements AutoCloseable {
  static final int FROM = 0;
  static final int TO = 511;
  static final int TARGET = 2;
  static final int FILLER_KEYS = 100_000;
  /** Longer than the longest SIGSTOP of a scenario (60 s) and than the nodes' hold-timeout (30 s). */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(70);
  static final Duration READY = Duration.ofSeconds(120);
  /** How long a request whose answer was lost may take to show in the slots before it is asked again. */
  private static final Duration ACCEPT_GRACE = Duration.ofSeconds(20);
  private static final String MIGRATE_BODY = "{\"from\":" + FROM + ",\"to\":" + TO + ",\"group\":" + TARGET + "}";

  private final String name;
  private final ChaosCluster cluster;
  private final SlotWatch watch;
  private final List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
  private ConsistencyChecker checker;
  private long migrationStart;
  private CompletableFuture<JsonNode> accepted;
  private ChaosNode acceptedVia;
  private long faultAt;
  private long doneAt;
  private String atFault = "?";

  private ChaosRun(String name, ChaosCluster cluster) {
    this.name = name;
    this.cluster = cluster;
    this.watch = new SlotWatch(cluster, FROM, TO, TARGET);
  }

  /** Starts the cluster, with filler keys on group 1. */
  static ChaosRun start(String name) throws Exception {
    ChaosRun run = new ChaosRun(name, ChaosCluster.create(name, 2, 3));
    try {
      BackendKeys.loadFiller(run.cluster.group(1), FILLER_KEYS, FROM, TO);
      run.cluster.startAll(READY);
      return run;
    } catch (Exception | Error e) {
      run.close();
      throw e;
    }
  }

  /**
   * Starts the checker's clients, one per element of {@code clientNodes}: the node of its first
   * endpoint (a client moves on to the next endpoint of that list when its connection fails).
   */
  void startClients(List<ChaosNode> clientNodes) throws InterruptedException {
    List<HostAndPort> all = cluster.respEndpoints();
    checker = ConsistencyChecker.builder()
        .endpoints(clientNodes.stream().map(n -> all.get(n.index())).toList())
        .clients(clientNodes.size())
        .counters(1000).registers(200).databases(2).keyPrefix("chaos")
        .commandTimeout(COMMAND_TIMEOUT)
        .verifyTimeout(Duration.ofSeconds(60))
        .build().start();
    if (!checker.awaitAcked(2000, Duration.ofSeconds(60))) {
      throw new AssertionError("the clients did not get 2000 commands answered before the fault: "
          + checker.report() + "\n" + cluster.logs());
    }
  }

  ChaosCluster cluster() {
    return cluster;
  }

  /**
   * Asks for the migration through {@code via} and returns at once: the coordinator answers only once
   * every slot actor has taken it (seconds, under load), and the fault strikes while it is on its way.
   */
  void startMigration(ChaosNode via) {
    migrationStart = System.nanoTime();
    accepted = cluster.api(via).postAsync("/api/slots/migrate", MIGRATE_BODY)
        .thenApply(answer -> {
          note(String.format("migration accepted after %.1f s", seconds(System.nanoTime() - migrationStart)));
          return answer;
        });
    acceptedVia = via;
  }

  /**
   * Waits until the migration is under way in bulk, then {@code delay} more, notes where the slots stand
   * and injects the fault. The coordinator starts one slot of a source alone and the others (up to
   * max-parallel-slots) once that one is past its barrier: a fault 1 s after the first slot reached
   * MIGRATING finds a hundred or so slots between PREPARING and BARRIER, most of the rest PENDING.
   */
  void faultAt(Duration delay, String what, Fault fault) throws Exception {
    ChaosNode observer = cluster.serving().get(0);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (watch.pastBarrier(observer) == 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + ": no slot got past its barrier within 60 s of the request ("
            + String.join("; ", notes) + "); where the slots stand:" + watch.describe() + "\n" + cluster.logs());
      }
      Thread.sleep(50);
    }
    note(String.format("first slot past its barrier %.1f s after the request", seconds(System.nanoTime() - migrationStart)));
    Thread.sleep(delay.toMillis());
    atFault = watch.snapshot(observer);
    faultAt = System.nanoTime();
    fault.inject();
    note(what);
  }

  /** Commands the clients have sent to {@code node} so far, and error replies they got from anyone. */
  long[] sentTo(ChaosNode node) {
    Report r = checker.report();
    long sent = r.opsPerEndpoint().getOrDefault("127.0.0.1:" + node.setting("rekko.proxy.port"), 0L);
    long errors = r.errorReplies().values().stream().mapToLong(Long::longValue).sum();
    return new long[] {sent, errors};
  }

  void note(String text) {
    notes.add(text.replaceAll("\\s+", " "));
  }

  /**
   * Waits until every serving node has the whole range ONLINE at the target and no migration left.
   * When the fault cost the request its answer (its node died, or slot actors on the dead node did not
   * answer in time), asks again as an operator would: asking again is harmless.
   */
  void awaitMigrationDone(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    awaitAccepted(deadline);
    while (!watch.done()) {
      if (System.nanoTime() > deadline) {
        String dumps = cluster.serving().stream().map(n -> "\n  " + n.threadDump()).reduce("", String::concat);
        throw new AssertionError(name + ": the migration did not complete within " + max.toSeconds()
            + " s of the fault (" + String.join("; ", notes) + "); at the fault: " + atFault
            + "\nwhere the slots stand:" + watch.describe() + "\nclients: " + checker.report()
            + "\n" + cluster.logs() + "\nthread dumps of the serving nodes:" + dumps);
      }
      Thread.sleep(250);
    }
    doneAt = System.nanoTime();
  }

  /**
   * Makes sure the request took effect. When its answer was lost (its node died, the HTTP server gave
   * up, a slot actor on the dead node did not answer), an operator looks at the slots and, after a
   * while, asks again for those still ONLINE at group 1 (asking again is harmless). Only for those:
   * asking for the whole range would message, and so restart, slot actors that the crash took away in
   * the middle of their migration, which remember-entities must do by itself (the test would then miss
   * its failure).
   */
  private void awaitAccepted(long deadline) throws InterruptedException {
    List<String> failures = new ArrayList<>();
    String first = answerOf(accepted, deadline);
    if (first == null) {
      return;
    }
    failures.add("via node " + acceptedVia.index() + ": " + first);
    while (!failures.isEmpty()) {
      note("the request failed (" + String.join("; ", failures) + ")");
      failures.clear();
      long grace = System.nanoTime() + ACCEPT_GRACE.toNanos();
      List<int[]> left = notStarted();
      while ((left == null || !left.isEmpty()) && System.nanoTime() < grace) {
        Thread.sleep(500);
        left = notStarted();
      }
      if (left != null && left.isEmpty()) {
        return;
      }
      List<ChaosNode> serving = cluster.serving();
      if (System.nanoTime() > deadline || serving.isEmpty() || left == null) {
        throw new AssertionError(name + ": the migration was never accepted (" + String.join("; ", notes)
            + ")\nwhere the slots stand:" + watch.describe() + "\n" + cluster.logs());
      }
      ChaosNode via = serving.get(0);
      note("asked again for " + left.stream().map(r -> r[0] == r[1] ? "" + r[0] : r[0] + "-" + r[1])
          .reduce((a, b) -> a + "," + b).orElse("") + ", still ONLINE at group 1 after " + ACCEPT_GRACE.toSeconds() + " s");
      for (int[] r : left) {
        String answer = answerOf(cluster.api(via).postAsync("/api/slots/migrate",
            "{\"from\":" + r[0] + ",\"to\":" + r[1] + ",\"group\":" + TARGET + "}"), deadline);
        if (answer != null) {
          failures.add("via node " + via.index() + ": " + answer);
        }
      }
    }
  }

  /** Runs of slots of the range a serving node still shows ONLINE at group 1; null if none answers. */
  private List<int[]> notStarted() throws InterruptedException {
    List<ChaosNode> serving = cluster.serving();
    return serving.isEmpty() ? null : watch.notStarted(serving.get(0));
  }

  /** Null once {@code answer} came and was 200, else why not. */
  private static String answerOf(CompletableFuture<JsonNode> answer, long deadline) throws InterruptedException {
    try {
      answer.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      return null;
    } catch (ExecutionException e) {
      String message = String.valueOf(e.getCause().getMessage());
      return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    } catch (TimeoutException e) {
      return "no answer before the deadline";
    }
  }

  /**
   * Lets the clients run on the final routes for a while, stops them, verifies every key, checks that
   * no key of the moved slots stayed on group 1 and that every filler key reached group 2, prints the
   * summary line and fails on anything wrong.
   */
  Report finish() throws Exception {
    boolean progressed = checker.awaitAcked(1000, Duration.ofSeconds(60));
    Report r = checker.stopAndVerify();
    long left = BackendKeys.keysOfSlots(cluster.group(1), FROM, TO, 0) + BackendKeys.keysOfSlots(cluster.group(1), FROM, TO, 1);
    long fillerAtTarget = BackendKeys.fillerKeys(cluster.group(TARGET));
    String line = String.format("CHAOS %s: lost=%d extra=%d readYourWritesViolations=%d unverified=%d"
            + " | acked=%d inDoubt=%d failed=%d reconnects=%d | fault -> migration done %.1f s"
            + " (migration %.1f s in all) | at the fault: %s | %s | left on group 1: %d, filler at group %d: %d/%d"
            + " | error replies: %s",
        name, r.lost(), r.extra(), r.readYourWritesViolations(), r.unverified(), r.acked(), r.inDoubt(),
        r.failed(), r.reconnects(), seconds(doneAt - faultAt), seconds(doneAt - migrationStart), atFault,
        String.join("; ", notes), left, TARGET, fillerAtTarget, FILLER_KEYS, r.errorReplies());
    System.out.println(line);
    Files.writeString(cluster.dir().resolveSibling("summary.txt"), java.time.LocalDateTime.now() + " " + line + "\n",
        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    String context = "\n" + line + "\n" + r + cluster.logs();
    check(r.lost() == 0, "acknowledged writes were lost" + context);
    check(r.extra() == 0, "values appeared that no write explains" + context);
    check(r.readYourWritesViolations() == 0, "a client did not read its own writes" + context);
    check(r.unverified() == 0 && r.clientFailures().isEmpty(), "the checker could not verify every key" + context);
    check(progressed, "the clients made no progress after the migration" + context);
    check(left == 0, "keys of the moved slots stayed on group 1" + context);
    check(fillerAtTarget == FILLER_KEYS, "filler keys missing at group " + TARGET + context);
    return r;
  }

  @Override
  public void close() {
    if (checker != null) {
      checker.close();
    }
    cluster.close();
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new AssertionError(message);
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /** The fault of a scenario. */
  @FunctionalInterface
  interface Fault {
    void inject() throws Exception;
  }
}
