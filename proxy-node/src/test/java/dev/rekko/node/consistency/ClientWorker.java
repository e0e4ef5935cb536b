package dev.rekko.node.consistency;

import dev.rekko.node.consistency.Finding.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * One client thread: one connection at a time, one command at a time (so the outcome of every
 * command is known exactly), INCR on any counter and SET/GET on the registers it owns.
 */
final class ClientWorker implements Runnable {
  private static final long BACKOFF_MIN_MILLIS = 20;
  private static final long BACKOFF_MAX_MILLIS = 1_000;

  private final int id;
  private final CheckerSettings settings;
  private final Connector connector;
  private final Ledger ledger;
  private final RunStats stats;
  private final Findings findings;
  private final SplittableRandom random;
  private final List<Integer> ownRegisters = new ArrayList<>();
  /** The highest INCR reply this client saw per counter: the next one must be higher. */
  private final long[] lastIncrReply;
  /** Per own register, the highest version this client wrote (acked) or read: reads may not go below. */
  private final long[] registerFloor;
  private volatile boolean running = true;
  private volatile Jedis jedis;
  private int endpointIndex;
  private String endpointName;
  private int currentDb;
  private long backoffMillis = BACKOFF_MIN_MILLIS;

  ClientWorker(int id, CheckerSettings settings, Connector connector, Ledger ledger, RunStats stats,
      Findings findings) {
    this.id = id;
    this.settings = settings;
    this.connector = connector;
    this.ledger = ledger;
    this.stats = stats;
    this.findings = findings;
    this.random = new SplittableRandom(settings.seed() * 31 + id);
    for (int r = 0; r < settings.registers(); r++) {
      if (settings.ownerOf(r) == id) {
        ownRegisters.add(r);
      }
    }
    this.lastIncrReply = new long[settings.counters()];
    this.registerFloor = new long[settings.registers()];
    Arrays.fill(lastIncrReply, Long.MIN_VALUE);
    this.endpointIndex = id;
  }

  void stop() {
    running = false;
  }

  /** Unblocks a command stuck in a read, for a stop that takes too long; the command becomes in doubt. */
  void abort() {
    running = false;
    Jedis j = jedis;
    if (j != null) {
      try {
        j.getConnection().forceDisconnect();
      } catch (Exception ignored) {
        // closing is all we want
      }
    }
  }

  @Override
  public void run() {
    try {
      while (running) {
        if (jedis == null && !connect()) {
          continue;
        }
        step();
        sleep(settings.pause().toMillis(), settings.pause().toNanosPart() % 1_000_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable e) {
      stats.clientFailures.add("client " + id + ": " + e);
    } finally {
      drop();
    }
  }

  private boolean connect() throws InterruptedException {
    try {
      jedis = connector.open(endpointIndex);
      endpointName = Connector.name(connector.endpoint(endpointIndex));
      currentDb = 0;
      return true;
    } catch (RuntimeException e) {
      failedConnection();
      return false;
    }
  }

  /** After a connection failure: count it, move to the next endpoint, wait a little longer each time. */
  private void failedConnection() throws InterruptedException {
    drop();
    stats.reconnects.increment();
    endpointIndex++;
    if (running) {
      Thread.sleep(backoffMillis);
    }
    backoffMillis = Math.min(BACKOFF_MAX_MILLIS, backoffMillis * 2);
  }

  private void drop() {
    Jedis j = jedis;
    jedis = null;
    if (j != null) {
      try {
        j.close();
      } catch (RuntimeException ignored) {
        // a broken connection may fail to close cleanly
      }
    }
  }

  private void step() throws InterruptedException {
    boolean registerOp = !ownRegisters.isEmpty() && (settings.counters() == 0 || random.nextInt(2) == 0);
    if (!registerOp) {
      int c = random.nextInt(settings.counters());
      if (select(settings.dbOf(c))) {
        incr(c);
      }
      return;
    }
    int r = ownRegisters.get(random.nextInt(ownRegisters.size()));
    if (select(settings.dbOf(r))) {
      if (random.nextBoolean()) {
        set(r);
      } else {
        get(r);
      }
    }
  }

  /** SELECT only changes session state, so a failure puts nothing in doubt. */
  private boolean select(int db) throws InterruptedException {
    if (db == currentDb) {
      return true;
    }
    try {
      jedis.select(db);
      currentDb = db;
      return true;
    } catch (JedisDataException e) {
      stats.errorReply(e.getMessage());
      return false;
    } catch (RuntimeException e) {
      failedConnection();
      return false;
    }
  }

  private void incr(int c) throws InterruptedException {
    String key = settings.counterKey(c);
    // Increments acknowledged before this one leaves must all be in its reply.
    long lower = ledger.counterLowerBound(c) + 1;
    ledger.incrSent(c);
    stats.op(endpointName);
    long reply;
    try {
      reply = jedis.incr(key);
    } catch (RuntimeException e) {
      if (failed(e)) {
        ledger.incrFailed(c);
      } else {
        ledger.incrInDoubt(c);
        afterInDoubt(e);
      }
      return;
    }
    // Read while this increment still counts as in flight, so it is part of the bound.
    long upper = ledger.counterUpperBound(c);
    ledger.incrAcked(c);
    acked();
    String when = "client " + id + " INCR via " + endpointName;
    int db = settings.dbOf(c);
    if (reply < lower) {
      findings.add(new Finding(Kind.LOST, key, db, lower + ".." + upper, Long.toString(reply), when));
    } else if (reply > upper) {
      findings.add(new Finding(Kind.EXTRA, key, db, lower + ".." + upper, Long.toString(reply), when));
    }
    if (reply <= lastIncrReply[c]) {
      findings.add(new Finding(Kind.READ_YOUR_WRITES, key, db,
          "> " + lastIncrReply[c] + " (this client's previous INCR reply)", Long.toString(reply), when));
    }
    lastIncrReply[c] = Math.max(lastIncrReply[c], reply);
  }

  private void set(int r) throws InterruptedException {
    long version = ledger.nextVersion(r);
    stats.op(endpointName);
    try {
      jedis.set(settings.registerKey(r), RegisterValue.format(id, version));
    } catch (RuntimeException e) {
      if (!failed(e)) {
        ledger.setInDoubt(r, version);
        afterInDoubt(e);
      }
      return;
    }
    ledger.setAcked(r, version);
    acked();
    registerFloor[r] = Math.max(registerFloor[r], version);
  }

  private void get(int r) throws InterruptedException {
    String key = settings.registerKey(r);
    long floor = registerFloor[r];
    long attempted = ledger.registerAttempted(r);
    stats.op(endpointName);
    String value;
    try {
      value = jedis.get(key);
    } catch (RuntimeException e) {
      // A read changes nothing, so the books stay as they are; only the connection may need care.
      if (!failed(e)) {
        afterInDoubt(e);
      }
      return;
    }
    acked();
    String when = "client " + id + " via " + endpointName;
    long version = RegisterValue.versionOf(value, id);
    if (version == RegisterValue.FOREIGN || version > attempted) {
      findings.add(new Finding(Kind.EXTRA, key, settings.dbOf(r), "a version <= " + id + ":" + attempted,
          String.valueOf(value), when));
    } else if (version < floor) {
      findings.add(new Finding(Kind.READ_YOUR_WRITES, key, settings.dbOf(r),
          ">= " + id + ":" + floor + " (written or seen by this client)", String.valueOf(value), when));
    } else {
      // A version read was applied, even if its SET is in doubt: later reads may not lose it.
      registerFloor[r] = version;
    }
  }

  /**
   * Classifies an exception of a data command: true for an error reply (the command did not happen),
   * false when its outcome is unknown.
   */
  private boolean failed(RuntimeException e) {
    if (e instanceof JedisDataException) {
      stats.errorReply(e.getMessage());
      if (!settings.inDoubtErrors().test(e.getMessage())) {
        stats.failed.increment();
        return true;
      }
    }
    return false;
  }

  private void afterInDoubt(RuntimeException e) throws InterruptedException {
    stats.inDoubt.increment();
    // An error reply that the settings call in doubt leaves the connection usable; anything else
    // (a reset, a timeout, an unparsable reply) leaves it in an unknown state.
    if (!(e instanceof JedisDataException)) {
      failedConnection();
    }
  }

  private void acked() {
    stats.acked.increment();
    backoffMillis = BACKOFF_MIN_MILLIS;
  }

  private static void sleep(long millis, int nanos) throws InterruptedException {
    if (millis > 0 || nanos > 0) {
      Thread.sleep(millis, nanos);
    }
  }
}
