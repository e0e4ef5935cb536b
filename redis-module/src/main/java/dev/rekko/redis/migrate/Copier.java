package dev.rekko.redis.migrate;

import dev.rekko.protocol.resp.RespValue;
import dev.rekko.redis.backend.BackendAddress;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;

/**
 * Moves a walk's batches by copy-and-delete (see {@link CopyLane} for the protocol and why it is safe)
 * on {@link ServerMoverSettings#copyLanes()} lanes: the calling thread runs one, helper threads the others,
 * all taking batches from the walk's queue.
 *
 * <p>Why not MIGRATE: MIGRATE blocks the source for the whole round trip to the target and reads the
 * target's replies a byte at a time, so the source — the one server every leaving key passes — spends
 * about 7 µs per key on it, and clients wait behind it. Here the source runs pipelined DUMP, PTTL and
 * DEL (about 4 µs a key), never waits for the target, and the rounds of several lanes overlap.
 */
final class Copier implements AutoCloseable {
  private final BackendAddress source;
  private final Credentials credentials;
  private final ServerMoverSettings options;
  private final SourceLoad load;
  private final CopyLane[] lanes;
  /** Runs in a lane after each round's DUMPs were read, before its RESTOREs; tests race clients here. */
  volatile java.util.function.Consumer<Batch> afterDump = batch -> { };

  Copier(BackendAddress source, Credentials credentials, ServerMoverSettings options, MoverClock clock, SourceLoad load) {
    this.source = source;
    this.credentials = credentials;
    this.options = options;
    this.load = load;
    this.lanes = new CopyLane[options.copyLanes()];
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new CopyLane(this, new Migrator(source, credentials, options, clock, load), i);
    }
  }

  BackendAddress source() {
    return source;
  }

  ServerMoverSettings options() {
    return options;
  }

  SourceLoad load() {
    return load;
  }

  /** Most keys in one round: as many values of the biggest size copied as fit in the round's bytes. */
  int roundKeys() {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, options.copyBatchBytes() / options.copyMaxValueBytes()));
  }

  /** A connection to a target; the groups of a deployment share their credentials, as MIGRATE's AUTH assumes. */
  RespConnection connectTarget(BackendAddress target) throws IOException {
    return RespConnection.open(target, credentials, options);
  }

  /** Flushes what was sent on {@code c} and reads one reply. */
  RespValue call(RespConnection c, Walk walk) throws IOException, InterruptedException {
    c.flush();
    return c.read(options.commandWaitNanos(), walk::cancelled);
  }

  /** Moves the batches of {@code queue} until {@link Batch#END}. */
  void drain(BlockingQueue<Batch> queue, Walk walk) throws MoveException, InterruptedException {
    Throwable[] failures = new Throwable[lanes.length];
    List<Thread> helpers = new ArrayList<>();
    for (int i = 1; i < lanes.length; i++) {
      int lane = i;
      Thread t = new Thread(() -> runLane(lane, queue, walk, failures), "rekko-mover-copy-" + i + "-" + source);
      t.setDaemon(true);
      t.start();
      helpers.add(t);
    }
    try {
      runLane(0, queue, walk, failures);
    } finally {
      for (Thread t : helpers) {
        ServerMover.joinUninterruptibly(t);
      }
    }
    rethrowFirst(failures);
  }

  private void runLane(int lane, BlockingQueue<Batch> queue, Walk walk, Throwable[] failures) {
    try {
      lanes[lane].drain(queue, walk);
    } catch (Throwable e) {
      lanes[lane].drop();
      failures[lane] = e;
      // The other lanes and the SCAN side stop too: the walk proves nothing now.
      walk.cancel();
    }
  }

  /** A lane's real failure before the cancellations it caused in the others. */
  private static void rethrowFirst(Throwable[] failures) throws MoveException, InterruptedException {
    for (Throwable e : failures) {
      if (e instanceof MoveException m) {
        throw m;
      }
    }
    for (Throwable e : failures) {
      if (e instanceof InterruptedException i) {
        throw i;
      }
      if (e instanceof RuntimeException r && !(r instanceof CancellationException)) {
        throw r;
      }
      if (e instanceof Error err) {
        throw err;
      }
    }
    for (Throwable e : failures) {
      if (e instanceof CancellationException c) {
        throw c;
      }
    }
  }

  /** The lanes' connections that are open now (for tests: read on a lane's thread, or after the walk). */
  int openConnections() {
    int open = 0;
    for (CopyLane lane : lanes) {
      open += lane.openConnections();
    }
    return open;
  }

  void dropConnections() {
    for (CopyLane lane : lanes) {
      lane.drop();
    }
  }

  @Override
  public void close() {
    dropConnections();
  }
}
