package dev.rekko.redis.migrate;

import dev.rekko.protocol.resp.RespValue;
import dev.rekko.redis.backend.BackendAddress;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Sends MIGRATE commands to one source on one connection. In a walk, up to {@code pipelineDepth} of
 * them are in flight, so that the next batch already waits in the source's input buffer when the
 * previous one finishes: Redis runs one command at a time, so the gain is the round trip and the
 * mover's own work between two MIGRATEs, during which the source would otherwise sit idle.
 *
 * <p>While clients use the source too ({@link SourceLoad#yielding()}), batches are cut to
 * {@link ServerMoverSettings#yieldBatchKeys()} keys and at most {@link ServerMoverSettings#yieldPipelineDepth()}
 * are in flight, so that a client command waits behind one short MIGRATE at most.
 *
 * <p>A batch that fails in a retriable way is tried again on its own, once the pipeline has been
 * emptied (see {@link BatchRetry}). One whose target already holds some of its keys ({@link
 * MigrateReplies#BUSY_KEY}) has the source's copies of those deleted ({@link StaleCopies}), and the
 * rest tried again. The connection is kept between walks and reopened after errors.
 */
final class Migrator implements AutoCloseable {
  private final BackendAddress source;
  private final Credentials credentials;
  private final ServerMoverSettings options;
  private final MoverClock clock;
  private final BatchRetry retry;
  private final SourceLoad load;
  private final StaleCopies stale;
  private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
  /** The rest of a batch cut while yielding; sent before the next batch of the queue. */
  private final ArrayDeque<Batch> cut = new ArrayDeque<>();
  private RespConnection conn;
  private long lastReplyNanos;

  /** A MIGRATE whose reply is still to come. */
  private record InFlight(Batch batch, long timeoutMillis, long sentNanos) {}

  Migrator(BackendAddress source, Credentials credentials, ServerMoverSettings options, MoverClock clock,
      SourceLoad load) {
    this.source = source;
    this.load = load;
    this.credentials = credentials;
    this.options = options;
    this.clock = clock;
    this.retry = new BatchRetry(this);
    this.stale = new StaleCopies(credentials, options);
  }

  BackendAddress source() {
    return source;
  }

  ServerMoverSettings options() {
    return options;
  }

  MoverClock clock() {
    return clock;
  }

  /** Moves the batches of {@code queue} until {@link Batch#END}. */
  void drain(BlockingQueue<Batch> queue, Walk walk) throws MoveException, InterruptedException {
    // Pieces of a batch cut by a walk that failed; that walk proved nothing, and the next one finds the keys.
    cut.clear();
    boolean end = false;
    while (true) {
      walk.check();
      boolean yielding = load.yielding();
      int depth = yielding ? Math.min(options.yieldPipelineDepth(), options.pipelineDepth()) : options.pipelineDepth();
      while (!end && inFlight.size() < depth) {
        Batch b = cut.isEmpty() ? (inFlight.isEmpty() ? take(queue, walk) : queue.poll()) : cut.poll();
        if (b != null && b != Batch.END && yielding && b.size() > options.yieldBatchKeys()) {
          cut.addAll(b.cut(options.yieldBatchKeys()));
          b = cut.poll();
        }
        if (b == null) {
          break;
        }
        if (b == Batch.END) {
          end = true;
          break;
        }
        if (walk.throttle != null) {
          walk.throttle.acquire(b.size(), walk::cancelled);
        }
        try {
          send(b, walk);
        } catch (IOException e) {
          retryAll(takeInFlight(b), e.getMessage(), walk);
        }
      }
      if (inFlight.isEmpty()) {
        if (end) {
          return;
        }
        continue;
      }
      readHead(walk);
    }
  }

  /** Moves one batch alone (no pipeline, no throttle), retrying like a walk does. */
  void moveOne(Batch batch, Walk walk) throws MoveException, InterruptedException {
    try {
      send(batch, walk);
    } catch (IOException e) {
      retryAll(takeInFlight(batch), e.getMessage(), walk);
    }
    while (!inFlight.isEmpty()) {
      readHead(walk);
    }
  }

  private static Batch take(BlockingQueue<Batch> queue, Walk walk) throws InterruptedException {
    while (true) {
      Batch b = queue.poll(100, TimeUnit.MILLISECONDS);
      if (b != null) {
        return b;
      }
      walk.check();
    }
  }

  /** Sends the batch's MIGRATE behind those in flight. */
  private void send(Batch b, Walk walk) throws IOException, MoveException, InterruptedException {
    RespConnection c = connectionFor(b, walk);
    long timeout = timeoutFor(b);
    b.attempts++;
    c.send(b.migrateCommand(credentials, timeout));
    inFlight.add(new InFlight(b, timeout, System.nanoTime()));
    c.flush();
  }

  /**
   * The connection, with {@code b}'s database selected. A SELECT is sent with nothing in flight and
   * its reply awaited: a MIGRATE pipelined behind a SELECT that failed would run in the previous
   * database and move that database's keys of the same names.
   */
  private RespConnection connectionFor(Batch b, Walk walk) throws IOException, MoveException, InterruptedException {
    if (conn != null && conn.selectedDb() == b.db) {
      return conn;
    }
    while (!inFlight.isEmpty()) {
      readHead(walk);
    }
    RespConnection c = connection();
    if (c.selectedDb() != b.db) {
      c.send("SELECT", Integer.toString(b.db));
      c.flush();
      RespValue r = c.read(options.commandWaitNanos(), walk::cancelled);
      if (!(r instanceof RespValue.SimpleString)) {
        throw failure(b, "SELECT " + b.db + " failed: " + MigrateReplies.describe(r), null);
      }
      c.selectedDb(b.db);
    }
    return c;
  }

  private long timeoutFor(Batch b) {
    // Later tries get more time: a size estimate can be low, and a busy machine is slow.
    return options.migrateTimeoutMillis(b.bytes) * Math.max(1, b.attempts);
  }

  /** Reads the reply of the oldest command in flight and acts on it. */
  private void readHead(Walk walk) throws MoveException, InterruptedException {
    InFlight head = inFlight.peek();
    RespValue reply;
    try {
      reply = conn.read(options.replyWaitNanos(head.timeoutMillis()), walk::cancelled);
    } catch (IOException e) {
      retryAll(takeInFlight(null), e.getMessage(), walk);
      return;
    }
    inFlight.poll();
    long now = System.nanoTime();
    long blocked = now - Math.max(head.sentNanos(), lastReplyNanos);
    lastReplyNanos = now;
    Batch b = head.batch();
    MigrateReplies.Kind kind = MigrateReplies.classify(reply);
    switch (kind) {
      case MOVED -> walk.completed(b, true, blocked);
      case NO_KEY -> walk.completed(b, false, blocked);
      case RETRY, BUSY_KEY -> {
        // Let what is already in flight finish first, so that retries run with the pipeline empty.
        List<Batch> failed = new ArrayList<>();
        List<Batch> busy = new ArrayList<>();
        (kind == MigrateReplies.Kind.RETRY ? failed : busy).add(b);
        String error = MigrateReplies.describe(reply);
        while (!inFlight.isEmpty()) {
          readForRetry(walk, failed, busy);
        }
        for (Batch held : busy) {
          try {
            Batch rest = clearStale(held, held == b ? blocked : 0, walk);
            if (rest != null) {
              failed.add(rest);
            }
          } catch (IOException e) {
            dropConnection();
            error = e.getMessage();
            failed.add(held);
          }
        }
        retryAll(failed, error, walk);
      }
      case FAIL -> throw failure(b, MigrateReplies.describe(reply), null);
    }
  }

  /**
   * While emptying the pipeline for a retry: a batch that failed too goes to {@code failed} (all of them
   * if the link did), one whose target held some keys to {@code busy}.
   */
  private void readForRetry(Walk walk, List<Batch> failed, List<Batch> busy)
      throws MoveException, InterruptedException {
    InFlight head = inFlight.peek();
    try {
      RespValue reply = conn.read(options.replyWaitNanos(head.timeoutMillis()), walk::cancelled);
      inFlight.poll();
      switch (MigrateReplies.classify(reply)) {
        case MOVED -> walk.completed(head.batch(), true, 0);
        case NO_KEY -> walk.completed(head.batch(), false, 0);
        case BUSY_KEY -> busy.add(head.batch());
        case RETRY -> failed.add(head.batch());
        case FAIL -> throw failure(head.batch(), MigrateReplies.describe(reply), null);
      }
    } catch (IOException e) {
      failed.addAll(takeInFlight(null));
    }
  }

  /** Empties the pipeline after a lost connection: every batch in it is tried again. */
  private List<Batch> takeInFlight(Batch alsoThis) {
    List<Batch> failed = new ArrayList<>();
    for (InFlight f : inFlight) {
      failed.add(f.batch());
    }
    dropConnection();
    if (alsoThis != null && !failed.contains(alsoThis)) {
      failed.add(alsoThis);
    }
    return failed;
  }

  private void retryAll(List<Batch> failed, String error, Walk walk) throws MoveException, InterruptedException {
    for (Batch b : failed) {
      retry.run(b, error, walk);
    }
  }

  /**
   * One MIGRATE alone, for the retry path: SELECT if needed, send, wait for the reply. The caller
   * counts the try in {@code b.attempts}, which also stretches the timeout.
   */
  RespValue migrateAlone(Batch b, Walk walk) throws IOException, InterruptedException, MoveException {
    RespConnection c = connectionFor(b, walk);
    long timeout = timeoutFor(b);
    c.send(b.migrateCommand(credentials, timeout));
    c.flush();
    return c.read(options.replyWaitNanos(timeout), walk::cancelled);
  }

  /**
   * After a MIGRATE answered BUSY_KEY, with nothing in flight: deletes from the source the keys of
   * {@code b} the target holds (see {@link StaleCopies}); returns the others, or null.
   */
  Batch clearStale(Batch b, long blockedNanos, Walk walk) throws IOException, InterruptedException, MoveException {
    return stale.clear(b, connectionFor(b, walk), blockedNanos, walk);
  }

  /** Each key's size in bytes ({@code MEMORY USAGE}), 0 for a key that is gone. */
  long[] sizes(Batch b, Walk walk) throws IOException, InterruptedException, MoveException {
    return KeySizes.read(connectionFor(b, walk), b.keys, options.commandWaitNanos());
  }

  MoveException failure(Batch b, String message, Throwable cause) {
    return new MoveException("moving " + b.size() + " keys of db " + b.db + " from source " + source
        + " to target " + b.target + " failed: " + message, source, b.target, b.db, cause);
  }

  private RespConnection connection() throws IOException {
    if (conn == null) {
      conn = load.connect();
    }
    return conn;
  }

  void dropConnection() {
    if (conn != null) {
      conn.close();
      conn = null;
    }
    inFlight.clear();
  }

  @Override
  public void close() {
    dropConnection();
    stale.close();
  }
}
