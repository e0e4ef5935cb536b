package dev.rekko.multinode.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rekko.node.consistency.ConsistencyChecker;
import dev.rekko.node.consistency.Report;
import dev.rekko.redis.launcher.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import redis.clients.jedis.HostAndPort;

/**
 * One failover scenario on a {@link FailoverCluster}: the consistency checker's clients writing through
 * every node (two per node), the fault, the measurements (from the kill to the first accepted write, to
 * the new master on every node, to the returning server following it), and the verdict. {@link #finish}
 * prints one summary line, {@code FAILOVER <scenario>: lost=.. extra=.. | ... }, to the test output and
 * to {@code target/chaos/summary.txt}.
 */
final class FailoverRun implements AutoCloseable {
  /** Longer than a failover (failover-timeout 10 s) and the nodes' hold of a switching group. */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(40);
  /** Generous: only a hang fails; the time it took is reported. */
  static final Duration ACCEPT_BOUND = Duration.ofSeconds(20);

  private final String name;
  private final FailoverCluster fc;
  private final List<String> notes = new CopyOnWriteArrayList<>();
  private ConsistencyChecker checker;
  private CompletableFuture<JsonNode> migration;
  private long migrationStart;

  FailoverRun(String name, FailoverCluster fc) {
    this.name = name;
    this.fc = fc;
    fc.backends().note("scenario " + name + " starts");
  }

  /**
   * Starts six clients, two starting on each node, on 1,000 counters and 200 registers over two
   * databases, and waits for 2,000 answers. Replies that leave a command in doubt: {@link #mayHaveRun}.
   */
  void startClients() throws InterruptedException {
    List<HostAndPort> all = fc.cluster().respEndpoints();
    checker = ConsistencyChecker.builder()
        .endpoints(List.of(all.get(0), all.get(1), all.get(2), all.get(0), all.get(1), all.get(2)))
        .clients(6).counters(1000).registers(200).databases(2).keyPrefix(name)
        .commandTimeout(COMMAND_TIMEOUT)
        .verifyTimeout(Duration.ofSeconds(60))
        .inDoubtErrors(FailoverRun::mayHaveRun)
        .build().start();
    awaitAcked(2000);
  }

  /**
   * Errors after which the command may still have run: the connection to the server broke with it on
   * the way ({@code ERR backend ...}, unless the node could not even connect: {@code Connection
   * refused}), or a durable write ran on the master and no replica confirmed it in time
   * ({@code NOREPLICAS}, the nodes' answer then). Other errors ({@code READONLY}, the nodes' refusals
   * and hold timeouts) mean it did not run.
   */
  static boolean mayHaveRun(String error) {
    return (error.startsWith("ERR backend ") && !error.endsWith("Connection refused"))
        || error.startsWith("NOREPLICAS");
  }

  void awaitAcked(long n) throws InterruptedException {
    if (!checker.awaitAcked(n, Duration.ofSeconds(60))) {
      throw new AssertionError(name + ": the clients did not get " + n + " more commands answered within 60 s: "
          + checker.report() + "\n" + fc.cluster().logs());
    }
  }

  /** Reads every key now, the clients running on. */
  Report verifyNow() throws InterruptedException {
    return checker.verifyNow();
  }

  Report report() {
    return checker.report();
  }

  /**
   * SIGKILLs {@code victim} (a group's master) and times the group's recovery: returns the time from
   * the kill to the first write a node accepts for a key of the group; notes it, the new master, and
   * the time until every node names it.
   */
  Duration killMaster(int group, RedisServer victim) throws Exception {
    WriteProbe probe = WriteProbe.forGroup(fc.cluster(), fc.cluster().serving().get(0), group);
    Report before = checker.report();
    long killedAt = System.nanoTime();
    fc.backends().kill(victim);
    Duration accepted = probe.awaitAccepted(killedAt, Duration.ofSeconds(60));
    String master = fc.groups().awaitNewMaster(group, victim.address(), Duration.ofSeconds(60));
    Duration settled = Duration.ofNanos(System.nanoTime() - killedAt);
    Report after = checker.report();
    note(String.format("SIGKILL of master %s of group %d -> first accepted write %.2f s, new master %s named by"
            + " every node %.2f s after the kill; meanwhile %d commands in doubt, %d error replies; probe errors %s;"
            + " group: %s", victim.address(), group, seconds(accepted), master, seconds(settled),
        after.inDoubt() - before.inDoubt(), after.failed() - before.failed(), probe.errors(),
        failoverOf(group)));
    return accepted;
  }

  /** The group's {@code lastFailover} as a serving node shows it (empty when it shows none). */
  String failoverOf(int group) throws InterruptedException {
    return fc.groups().group(fc.cluster().serving().get(0), group)
        .map(g -> g.path("lastFailover").toString()).orElse("?");
  }

  /**
   * Starts the killed server {@code addr} again, empty and configured as a master, plants stale values
   * of {@code plantedCounters} counters of this run's keys in it (what a returning master with old data
   * would hold; a node that served from it would show them as extra), and waits until it follows the
   * group's master. Returns it.
   */
  RedisServer restartAsStale(String addr, int group, int plantedCounters) throws Exception {
    Set<Integer> slots = fc.groups().onlineSlots(fc.cluster().serving().get(0), group);
    RedisServer back = fc.backends().restartEmpty(addr);
    long start = System.nanoTime();
    int planted = BackendKeys.plantStaleCounters(back, name, slots, plantedCounters, 2);
    RedisServer master = fc.master(group);
    fc.awaitFollows(back, master, Duration.ofSeconds(60));
    note(String.format("%s started again empty with %d stale counters planted, follows the new master %s %.2f s"
        + " later", addr, planted, master.address(), seconds(Duration.ofNanos(System.nanoTime() - start))));
    return back;
  }

  /**
   * Asks a serving node for the migration of slots {@code from..to} to group {@code target}, waits until
   * the first slot is past its barrier and {@code delay} more (the movers busy, a hundred or so slots
   * between PREPARING and MIGRATING), then runs {@code fault}. Returns the watch of that range.
   */
  SlotWatch migrateAndStrike(int from, int to, int target, Duration delay, ChaosRun.Fault fault) throws Exception {
    SlotWatch watch = new SlotWatch(fc.cluster(), from, to, target);
    ChaosNode via = fc.cluster().serving().get(0);
    long start = System.nanoTime();
    migration = fc.cluster().api(via).postAsync("/api/slots/migrate",
        "{\"from\":" + from + ",\"to\":" + to + ",\"group\":" + target + "}");
    while (watch.pastBarrier(via) == 0) {
      if (System.nanoTime() - start > Duration.ofSeconds(60).toNanos()) {
        throw new AssertionError(name + ": no slot got past its barrier within 60 s; where the slots stand:"
            + watch.describe() + "\n" + fc.cluster().logs());
      }
      Thread.sleep(50);
    }
    Thread.sleep(delay.toMillis());
    note(String.format("migration of %d..%d to group %d: first slot past its barrier %.1f s after the request;"
        + " at the fault %s", from, to, target, seconds(Duration.ofNanos(System.nanoTime() - start)) - seconds(delay),
        watch.snapshot(via)));
    migrationStart = start;
    fault.inject();
    return watch;
  }

  /**
   * Waits until the migration is done on every serving node. When the request's answer was an error,
   * asks again, once, for the runs of slots still ONLINE at their source (asking again is harmless).
   */
  void awaitMigrated(SlotWatch watch, int target, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    String failure = null;
    try {
      migration.get(max.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      failure = String.valueOf(e.getCause() == null ? e : e.getCause().getMessage());
      note("the migration request failed: " + failure);
    }
    // A request whose answer was lost may still take effect: look again after a while, as an operator would.
    long askAgainAt = failure == null ? Long.MAX_VALUE : System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!watch.done()) {
      if (System.nanoTime() > askAgainAt) {
        askAgainAt = Long.MAX_VALUE;
        ChaosNode via = fc.cluster().serving().get(0);
        List<int[]> left = watch.notStarted(via);
        for (int[] r : left == null ? List.<int[]>of() : left) {
          fc.cluster().api(via).postAsync("/api/slots/migrate",
              "{\"from\":" + r[0] + ",\"to\":" + r[1] + ",\"group\":" + target + "}");
        }
        note("asked again for " + (left == null ? "?" : left.size()) + " runs still ONLINE at the source");
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + ": the migration did not complete within " + max.toSeconds() + " s ("
            + String.join("; ", notes) + ")\nwhere the slots stand:" + watch.describe() + "\nclients: "
            + checker.report() + "\n" + fc.cluster().logs());
      }
      Thread.sleep(250);
    }
    note(String.format("migration done %.1f s after the request",
        seconds(Duration.ofNanos(System.nanoTime() - migrationStart))));
  }

  void note(String text) {
    notes.add(text.replaceAll("\\s+", " "));
    fc.backends().note(name + ": " + text);
  }

  /** What to hold the final report to. */
  record Verdict(boolean noLoss, long maxLost, boolean readYourWrites) {
    /** Durable writes or a planned switchover: nothing lost, no client reads its key go back. */
    static Verdict lossless() {
      return new Verdict(true, 0, true);
    }

    /** Asynchronous replication: a failover may lose what the replica had not got yet, up to {@code maxLost} keys. */
    static Verdict upTo(long maxLost) {
      return new Verdict(false, maxLost, false);
    }
  }

  /**
   * Lets the clients get 1,000 more answers, stops them, verifies every key, prints the summary line
   * and fails on a finding the verdict does not allow: never an extra value, never an unverified key.
   */
  Report finish(Verdict verdict) throws Exception {
    boolean progressed = checker.awaitAcked(1000, Duration.ofSeconds(60));
    Report r = checker.stopAndVerify();
    String line = String.format("FAILOVER %s: lost=%d extra=%d readYourWritesViolations=%d unverified=%d"
            + " | acked=%d inDoubt=%d failed=%d reconnects=%d | %s | error replies: %s",
        name, r.lost(), r.extra(), r.readYourWritesViolations(), r.unverified(), r.acked(), r.inDoubt(),
        r.failed(), r.reconnects(), String.join("; ", notes), r.errorReplies());
    System.out.println(line);
    Files.writeString(fc.cluster().dir().resolveSibling("summary.txt"),
        java.time.LocalDateTime.now() + " " + line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    String context = "\n" + line + "\n" + r + fc.cluster().logs();
    check(r.extra() == 0, "values appeared that no write explains" + context);
    check(r.lost() <= verdict.maxLost(), (verdict.noLoss() ? "acknowledged writes were lost"
        : "more than " + verdict.maxLost() + " keys lost acknowledged writes") + context);
    check(!verdict.readYourWrites() || r.readYourWritesViolations() == 0,
        "a client did not read its own writes" + context);
    check(r.unverified() == 0 && r.clientFailures().isEmpty(), "the checker could not verify every key" + context);
    check(progressed, "the clients made no progress at the end" + context);
    return r;
  }

  @Override
  public void close() {
    if (checker != null) {
      checker.close();
    }
  }

  static void check(boolean ok, String message) {
    if (!ok) {
      throw new AssertionError(message);
    }
  }

  static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
