package dev.rekko.redis.migrate;

import dev.rekko.protocol.resp.RespValue;
import dev.rekko.redis.backend.BackendAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One lane of a {@link Copier}: moves batches by copy-and-delete on connections of its own, one round
 * per batch:
 * <ol>
 *   <li>target: {@code WATCH} the keys;</li>
 *   <li>source: {@code DUMP} and {@code PTTL} of each key, pipelined (read-only; the source is never
 *       blocked waiting for the target, unlike with MIGRATE);</li>
 *   <li>target: {@code MULTI}, {@code RESTORE key ttl payload} each key, {@code EXEC} — never with
 *       {@code REPLACE}: a key the target already holds is answered {@code BUSYKEY} inside the EXEC;</li>
 *   <li>source: {@code DEL} the keys restored and those the target held — sent in front of the lane's
 *       next round's DUMPs (or at a change of database, or when the walk ends), which saves a round trip
 *       per round.</li>
 * </ol>
 *
 * <p>Why this never loses or resurrects a write: after a slot's barrier nothing writes its keys on the
 * source, and a client reaches a key on the target only after its node has MIGRATEd the key away from
 * the source. So a key on the target is at least as new as a copy on the source: the target's copy is
 * never written over, and the source's is deleted (it is the same value — a DEL lost with a connection —
 * or a stale one — a source whose replica was promoted before it received a moved key's DEL). Any touch
 * of a key on the target after the WATCH (a client's MIGRATE, a write, a DEL, another lane's RESTORE)
 * aborts the EXEC, after which the round runs again and finds the key gone from the source, or held by
 * the target. The DEL only removes what the target holds or held; a key left on both (a lost connection
 * before the DEL) is moved again by the next walk, which finds it on the target.
 *
 * <p>A key too big for the mover's memory ({@link ServerMoverSettings#copyMaxValueBytes()}: the source
 * connection refuses a longer DUMP reply before reading it), a round that keeps being aborted, a
 * target error and a lost connection all hand the keys to MIGRATE ({@link Migrator#moveOne}), with its
 * retries and error reports. A round has at most {@link Copier#roundKeys()} keys, so that its payloads
 * stay within {@link ServerMoverSettings#copyBatchBytes()}; and WATCH costs Redis time growing with the square
 * of the keys watched at once.
 */
final class CopyLane implements AutoCloseable {
  /** Aborted rounds of one batch in a row before its keys go by MIGRATE. */
  private static final int MAX_ABORTS = 8;
  private static final byte[] DUMP = bytes("DUMP");
  private static final byte[] PTTL = bytes("PTTL");
  private static final byte[] WATCH = bytes("WATCH");
  private static final byte[] MULTI = bytes("MULTI");
  private static final byte[] EXEC = bytes("EXEC");
  private static final byte[] RESTORE = bytes("RESTORE");
  private static final byte[] DEL = bytes("DEL");

  private final Copier copier;
  private final Migrator fallback;
  private final Map<BackendAddress, RespConnection> targets = new HashMap<>();
  private RespConnection source;
  /**
   * Keys the last round restored on the target (or found there already) and still to delete from the
   * source: their DEL goes in front of the next round's DUMPs, which saves a round trip per round.
   */
  private Batch unDeleted;

  private final int index;

  CopyLane(Copier copier, Migrator fallback, int index) {
    this.copier = copier;
    this.fallback = fallback;
    this.index = index;
  }

  /** Moves the batches of {@code queue} until {@link Batch#END}, which it leaves for the other lanes. */
  void drain(BlockingQueue<Batch> queue, Walk walk) throws MoveException, InterruptedException {
    ServerMoverSettings options = copier.options();
    while (true) {
      walk.check();
      if (index >= options.yieldPipelineDepth() && copier.load().yielding()) {
        // While clients use the source, only the first lanes run: each round in flight adds to their wait.
        if (queue.peek() == Batch.END) {
          settle(walk);
          return;
        }
        Thread.sleep(20);
        continue;
      }
      Batch b = queue.poll(100, TimeUnit.MILLISECONDS);
      if (b == null) {
        continue;
      }
      if (b == Batch.END) {
        queue.offer(Batch.END);
        settle(walk);
        return;
      }
      int most = copier.load().yielding() ? Math.min(options.yieldBatchKeys(), copier.roundKeys()) : copier.roundKeys();
      List<Batch> pieces = b.size() > most ? b.cut(most) : List.of(b);
      for (Batch piece : pieces) {
        if (walk.throttle != null) {
          walk.throttle.acquire(piece.size(), walk::cancelled);
        }
        move(piece, walk);
      }
    }
  }

  private void move(Batch b, Walk walk) throws MoveException, InterruptedException {
    Batch todo = b;
    int aborts = 0;
    while (todo != null) {
      walk.check();
      Round round = new Round(todo);
      try {
        todo = round.run(walk);
      } catch (IOException e) {
        migrateWhatIsOwed(walk);
        Batch rest = round.rest();
        if (rest != null) {
          fallback.moveOne(rest, walk);
        }
        return;
      }
      if (round.aborted && ++aborts >= MAX_ABORTS) {
        fallback.moveOne(todo, walk);
        return;
      }
    }
  }

  /** Sends the DEL still owed to the source, if any, and reads its answer. */
  private void settle(Walk walk) throws MoveException, InterruptedException {
    if (unDeleted == null) {
      return;
    }
    try {
      sendDel(source(unDeleted.db, walk));
      readDel(copier.call(source, walk), walk);
    } catch (IOException e) {
      migrateWhatIsOwed(walk);
    }
  }

  /**
   * After a lost or failed connection: the lane starts afresh, and the keys whose DEL it still owed go
   * by MIGRATE. The target holds them, so MIGRATE answers BUSYKEY for those still on the source, and
   * they are deleted there ({@link StaleCopies}).
   */
  private void migrateWhatIsOwed(Walk walk) throws MoveException, InterruptedException {
    Batch owed = unDeleted;
    drop();
    if (owed != null) {
      fallback.moveOne(owed, walk);
    }
  }

  private void sendDel(RespConnection s) {
    s.send(withKeys(DEL, unDeleted.keys));
  }

  private void readDel(RespValue deleted, Walk walk) throws IOException {
    if (!(deleted instanceof RespValue.Integer)) {
      throw new IOException("DEL on source " + copier.source() + " failed: " + MigrateReplies.describe(deleted));
    }
    // Not a MIGRATE: the source was never blocked waiting for the target.
    walk.completed(unDeleted, true, 0);
    unDeleted = null;
  }

  /** One WATCH / DUMP / MULTI-RESTORE-EXEC round for a batch; its DEL goes with the next round. */
  private final class Round {
    final Batch batch;
    final Batch later;
    boolean aborted;
    private boolean dumped;
    /** Keys restored or being restored by this round's EXEC, until they are the lane's {@link #unDeleted}. */
    private Batch copying;

    Round(Batch batch) {
      this.batch = batch;
      this.later = new Batch(batch.target, batch.db);
    }

    /** Keys not settled if the round fails now: all until the DUMPs are read, then those copied or waiting. */
    Batch rest() {
      if (!dumped) {
        return batch;
      }
      Batch rest = new Batch(batch.target, batch.db);
      if (copying != null) {
        rest.addAll(copying);
      }
      rest.addAll(later);
      return rest.size() > 0 ? rest : null;
    }

    /** Returns the keys still to move (those behind a value too big to copy, or all after an abort), or null. */
    Batch run(Walk walk) throws IOException, MoveException, InterruptedException {
      RespConnection t = target(batch.target, batch.db, walk);
      if (unDeleted != null && unDeleted.db != batch.db) {
        settle(walk);
      }
      RespConnection s = source(batch.db, walk);
      t.send(withKeys(WATCH, batch.keys));
      expectOk(copier.call(t, walk), "WATCH");
      boolean deleting = unDeleted != null;
      if (deleting) {
        sendDel(s);
      }
      for (byte[] key : batch.keys) {
        s.send(DUMP, key);
        s.send(PTTL, key);
      }
      s.flush();
      if (deleting) {
        readDel(s.read(copier.options().commandWaitNanos(), walk::cancelled), walk);
      }
      Batch restore = new Batch(batch.target, batch.db);
      Batch gone = new Batch(batch.target, batch.db);
      Batch big = null;
      List<byte[][]> restores = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        byte[] key = batch.keys.get(i);
        int slot = batch.slot(i);
        if (big != null) {
          later.add(key, slot, -1);
          continue;
        }
        RespValue dumped;
        RespValue pttl;
        try {
          dumped = s.read(copier.options().commandWaitNanos(), walk::cancelled);
          pttl = s.read(copier.options().commandWaitNanos(), walk::cancelled);
        } catch (RespConnection.ReplyTooLongException e) {
          // The replies after it are lost with the connection; the keys wait for the next round.
          dropSource();
          big = new Batch(batch.target, batch.db);
          big.add(key, slot, -1);
          continue;
        }
        if (dumped instanceof RespValue.BulkString payload && pttl instanceof RespValue.Integer ms && ms.value() != -2) {
          // RESTORE takes 0 as "no expiry": a key about to expire keeps a millisecond, as MIGRATE does.
          long ttl = ms.value() == -1 ? 0 : Math.max(1, ms.value());
          restores.add(new byte[][] {RESTORE, key, bytes(Long.toString(ttl)), payload.bytes()});
          restore.add(key, slot, payload.bytes().length);
        } else if (dumped instanceof RespValue.NullBulk || dumped instanceof RespValue.Null
            || (dumped instanceof RespValue.BulkString && pttl instanceof RespValue.Integer ms && ms.value() == -2)) {
          // Gone, or expired between its DUMP and its PTTL.
          gone.add(key, slot, 0);
        } else {
          throw new IOException("DUMP on source " + copier.source() + " failed: " + MigrateReplies.describe(dumped));
        }
      }
      dumped = true;
      copier.afterDump.accept(batch);
      // Keys the source no longer has stay gone: nothing but MIGRATE touches them there now.
      if (gone.size() > 0) {
        walk.completed(gone, false, 0);
      }
      if (restores.isEmpty()) {
        t.send("UNWATCH");
        copier.call(t, walk);
      } else {
        copying = restore;
        if (exec(t, restores, walk)) {
          unDeleted = restore;
        } else {
          aborted = true;
          later.addAll(restore);
        }
        copying = null;
      }
      if (big != null) {
        fallback.moveOne(big, walk);
      }
      return later.size() > 0 ? later : null;
    }
  }

  /**
   * Sends MULTI, the RESTOREs and EXEC, and reads every reply: true when EXEC ran them, false when a
   * watched key had changed. A key the target held already ({@code BUSYKEY}) counts as restored: its
   * source copy is deleted like theirs. A RESTORE refused otherwise (a full target, an unreadable
   * payload) is an IOException, so that the keys go to MIGRATE, whose reply classification decides
   * between retry and failure.
   */
  private boolean exec(RespConnection t, List<byte[][]> restores, Walk walk) throws IOException, InterruptedException {
    t.send(MULTI);
    for (byte[][] r : restores) {
      t.send(r);
    }
    t.send(EXEC);
    t.flush();
    String refused = null;
    for (int i = 0; i <= restores.size(); i++) {
      RespValue queued = t.read(copier.options().commandWaitNanos(), walk::cancelled);
      if (queued instanceof RespValue.Error e && refused == null) {
        refused = e.message();
      }
    }
    RespValue reply = t.read(copier.options().commandWaitNanos(), walk::cancelled);
    if (refused != null) {
      throw new IOException("RESTORE refused by target: " + refused);
    }
    if (reply instanceof RespValue.NullArray || reply instanceof RespValue.Null) {
      return false;
    }
    if (reply instanceof RespValue.Array results) {
      for (RespValue r : results.elements()) {
        if (!(r instanceof RespValue.SimpleString) && !MigrateReplies.busyKey(r)) {
          throw new IOException("RESTORE on target failed: " + MigrateReplies.describe(r));
        }
      }
      return true;
    }
    throw new IOException("EXEC on target failed: " + MigrateReplies.describe(reply));
  }

  private RespConnection source(int db, Walk walk) throws IOException, InterruptedException {
    if (source == null) {
      source = copier.load().connect().limitReplies(copier.options().copyMaxValueBytes());
    }
    return source.select(db, copier.options().commandWaitNanos(), walk::cancelled);
  }

  private RespConnection target(BackendAddress address, int db, Walk walk) throws IOException, InterruptedException {
    RespConnection c = targets.get(address);
    if (c == null) {
      c = copier.connectTarget(address);
      targets.put(address, c);
    }
    return c.select(db, copier.options().commandWaitNanos(), walk::cancelled);
  }

  private static void expectOk(RespValue reply, String what) throws IOException {
    if (!(reply instanceof RespValue.SimpleString)) {
      throw new IOException(what + " failed: " + MigrateReplies.describe(reply));
    }
  }

  private static byte[][] withKeys(byte[] command, List<byte[]> keys) {
    byte[][] argv = new byte[1 + keys.size()][];
    argv[0] = command;
    for (int i = 0; i < keys.size(); i++) {
      argv[1 + i] = keys.get(i);
    }
    return argv;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void dropSource() {
    if (source != null) {
      source.close();
      source = null;
    }
  }

  /** The lane's connections that are open now (for tests). */
  int openConnections() {
    int open = source != null && !source.isClosed() ? 1 : 0;
    for (RespConnection t : targets.values()) {
      open += t.isClosed() ? 0 : 1;
    }
    return open;
  }

  /**
   * After a failure: the connections may have replies pending. A DEL still owed is forgotten, never
   * carried into a later walk: by then the slot may have come back to this source with new values.
   * The keys stay on both servers, and the next walk moves them again.
   */
  void drop() {
    unDeleted = null;
    dropSource();
    targets.values().forEach(RespConnection::close);
    targets.clear();
    fallback.dropConnection();
  }

  @Override
  public void close() {
    drop();
  }
}
