package dev.rekko.node.consistency;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * Writes to Redis (directly or through Rekko nodes) from several clients while something else
 * happens — slot migrations, failovers, chaos — keeps books of what every write's outcome may have
 * been, and proves afterwards that no acknowledged write was lost and nothing appeared that no
 * write explains. In the spirit of Redis Cluster's consistency test, with exact books.
 *
 * <h2>The model</h2>
 * Every command a client sends ends in one of three ways:
 * <ul>
 *   <li><b>acked</b> — a reply came back: the command happened;
 *   <li><b>failed</b> — an error reply came back ({@code -ERR router is not online}, {@code -ERR node
 *       is fenced}, …): taken to mean the command did not run, which holds for Redis and for Rekko's
 *       refusals. Counted per error text. Rekko's {@code ERR backend … is down} for a command that
 *       was already on its way to a backend when the backend failed does not hold to that: pass
 *       {@link CheckerBuilder#inDoubtErrors} to count such errors as in doubt where it matters
 *       (a backend that fails and keeps its data, e.g. a frozen one).
 *   <li><b>in doubt</b> — the connection broke or timed out before the reply: the command may or may
 *       not have happened. The client reconnects to the next endpoint with a small backoff.
 * </ul>
 * Clients send one command at a time on their own connection, so each outcome is known exactly.
 *
 * <p><b>Counters</b> ({@code <prefix>:{n}:counter}) take INCR from every client. A value read must
 * lie in {@code acked ≤ value ≤ acked + inDoubt}: below is <b>lost</b> (acknowledged increments
 * vanished), above is <b>extra</b> (increments that no client made, or that were reported as not
 * made). Every INCR reply is held to the same bounds, taken around the command, so a loss shows as
 * soon as a client touches the key; and the same client's replies for one counter must strictly
 * increase, else it is a <b>read-your-writes violation</b>.
 *
 * <p><b>Registers</b> ({@code <prefix>:{n}:register}) each belong to one client, which SETs
 * {@code "<client>:<version>"} with increasing versions and GETs them back. A GET older than the
 * client's last acknowledged SET (or than a version it already read) is a read-your-writes
 * violation. A SET in doubt leaves the register in doubt between the last acked version and that
 * attempt, until a later SET is acked. At the end the value must be the last acked version or one
 * of the in-doubt attempts after it: older is lost, anything else (a failed attempt, an unknown
 * value) is extra.
 *
 * <p><b>Verification</b> ({@link #verifyNow()} while running, {@link #stopAndVerify()} at the end)
 * reads every key through one endpoint, a different one each time, in pipelined batches. While the
 * clients run, lower bounds are taken before a batch is sent and upper bounds after its replies, so
 * concurrent writes never cause a false finding; after stop the bounds are exact. Lost, extra and
 * unverified count distinct keys over the whole run, so a report carries what earlier checks and
 * the clients found. See {@link Report}.
 *
 * <pre>{@code
 * try (ConsistencyChecker checker = ConsistencyChecker.builder()
 *     .endpoints(List.of(new HostAndPort("127.0.0.1", node0), new HostAndPort("127.0.0.1", node1)))
 *     .clients(6).counters(1000).registers(200).databases(2)
 *     .build().start()) {
 *   checker.awaitAcked(5_000, Duration.ofSeconds(60));
 *   // ... migrate slots, kill things ...
 *   Report r = checker.stopAndVerify();
 *   assertThat(r.clean()).as(r.toString()).isTrue();
 * }
 * }</pre>
 */
public final class ConsistencyChecker implements AutoCloseable {
  private enum State { NEW, RUNNING, STOPPED }

  private final CheckerSettings settings;
  private final Connector connector;
  private final Ledger ledger;
  private final RunStats stats = new RunStats();
  private final Findings findings;
  private final Verifier verifier;
  private final List<ClientWorker> workers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private State state = State.NEW;
  private long startNanos;
  private long stopNanos;
  private int checks;
  private int lastKeysChecked;

  ConsistencyChecker(CheckerSettings settings) {
    this.settings = settings;
    this.connector = new Connector(settings);
    this.ledger = new Ledger(settings.counters(), settings.registers());
    this.findings = new Findings(settings.maxFindings());
    this.verifier = new Verifier(settings, connector, ledger, findings);
  }

  public static CheckerBuilder builder() {
    return new CheckerBuilder();
  }

  /** Deletes the checker's keys (unless told not to) and starts the clients. */
  public synchronized ConsistencyChecker start() throws InterruptedException {
    if (state != State.NEW) {
      throw new IllegalStateException("already started");
    }
    if (settings.resetKeys()) {
      deleteKeys();
    }
    startNanos = System.nanoTime();
    state = State.RUNNING;
    for (int i = 0; i < settings.clients(); i++) {
      ClientWorker w = new ClientWorker(i, settings, connector, ledger, stats, findings);
      Thread t = new Thread(w, "consistency-client-" + i);
      t.setDaemon(true);
      workers.add(w);
      threads.add(t);
      t.start();
    }
    return this;
  }

  /** Waits until the clients have acknowledged {@code n} more commands; false if that took too long. */
  public boolean awaitAcked(long n, Duration timeout) throws InterruptedException {
    long target = stats.acked.sum() + n;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (stats.acked.sum() < target) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  /** Reads every key and compares it with the books; the clients keep running (or stay stopped). */
  public synchronized Report verifyNow() throws InterruptedException {
    if (state == State.NEW) {
      throw new IllegalStateException("not started");
    }
    boolean exact = state == State.STOPPED;
    checks++;
    String when = "check #" + checks + (exact ? " (stopped)" : "");
    lastKeysChecked = verifier.verify(checks - 1, exact, when);
    return report(false);
  }

  /** Stops the clients and runs the final verification. */
  public synchronized Report stopAndVerify() throws InterruptedException {
    if (state == State.NEW) {
      throw new IllegalStateException("not started");
    }
    stop();
    checks++;
    lastKeysChecked = verifier.verify(checks - 1, true, "final check");
    return report(true);
  }

  /**
   * Stops every client and waits for its last command to end (at most the command timeout). The
   * books are exact afterwards; {@link #verifyNow()} still works, e.g. after tampering on purpose.
   */
  public synchronized void stop() throws InterruptedException {
    if (state != State.RUNNING) {
      state = State.STOPPED;
      return;
    }
    workers.forEach(ClientWorker::stop);
    long graceMillis = settings.commandTimeout().toMillis() + 5_000;
    for (int i = 0; i < threads.size(); i++) {
      Thread t = threads.get(i);
      t.join(graceMillis);
      if (t.isAlive()) {
        // Stuck in a read despite the socket timeout: break its connection; its command turns in doubt.
        workers.get(i).abort();
        t.interrupt();
        t.join(5_000);
        if (t.isAlive()) {
          stats.clientFailures.add(t.getName() + " did not stop");
        }
      }
    }
    stopNanos = System.nanoTime();
    state = State.STOPPED;
  }

  /** The counts so far, without reading any key. */
  public synchronized Report report() {
    return report(false);
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      workers.forEach(ClientWorker::abort);
      Thread.currentThread().interrupt();
    }
  }

  private Report report(boolean finalCheck) {
    long end = state == State.STOPPED ? stopNanos : System.nanoTime();
    Duration duration = startNanos == 0 ? Duration.ZERO : Duration.ofNanos(end - startNanos);
    return new Report(finalCheck, checks, lastKeysChecked, findings.lost(), findings.extra(),
        findings.readYourWrites(), findings.unverified(), findings.details(), stats.ops.sum(),
        stats.acked.sum(), stats.inDoubt.sum(), stats.failed.sum(), stats.errorReplies(),
        stats.reconnects.sum(), stats.opsPerEndpoint(), List.copyOf(stats.clientFailures), duration);
  }

  /**
   * Leftovers of an earlier run would look like extra writes. Retried (on the next endpoint) until
   * the verify timeout, so a node that is still coming up does not fail the start.
   */
  private void deleteKeys() throws InterruptedException {
    long deadline = System.nanoTime() + settings.verifyTimeout().toNanos();
    for (int attempt = 0; ; attempt++) {
      try (Jedis jedis = connector.open(attempt)) {
        for (int db = 0; db < settings.databases(); db++) {
          deleteKeys(jedis, db);
        }
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("cannot delete the checker's keys: " + e.getMessage(), e);
        }
        Thread.sleep(100);
      }
    }
  }

  private void deleteKeys(Jedis jedis, int db) {
    if (settings.databases() > 1) {
      jedis.select(db);
    }
    try (Pipeline p = jedis.pipelined()) {
      for (int c = db; c < settings.counters(); c += settings.databases()) {
        p.del(settings.counterKey(c));
      }
      for (int r = db; r < settings.registers(); r += settings.databases()) {
        p.del(settings.registerKey(r));
      }
      for (Object reply : p.syncAndReturnAll()) {
        if (reply instanceof RuntimeException e) {
          throw e;
        }
      }
    }
  }
}
