package dev.rekko.redis.migrate;

import dev.rekko.protocol.SlotHash;
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
 * The SCAN side of a walk: goes through every database of the source, keeps the keys whose slot is
 * leaving, and hands them to the MIGRATE side as batches per (target, database) through a bounded
 * queue — so that SCAN round trips and the mover's own work overlap with MIGRATEs running on the
 * source, and a slow target holds the walk back instead of filling memory.
 *
 * <p>SCAN cursors are stateless on the server, so a lost connection is reopened and the walk goes on
 * from the same cursor. The connection is kept between walks.
 */
final class Scanner implements AutoCloseable {
  private static final byte[] SCAN = "SCAN".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] COUNT = "COUNT".getBytes(StandardCharsets.US_ASCII);

  private final BackendAddress source;
  private final ServerMoverSettings options;
  private final MoverClock clock;
  private final byte[] count;
  private final SourceLoad load;
  private RespConnection conn;

  Scanner(BackendAddress source, ServerMoverSettings options, MoverClock clock, SourceLoad load) {
    this.source = source;
    this.options = options;
    this.clock = clock;
    this.count = Integer.toString(options.scanCount()).getBytes(StandardCharsets.US_ASCII);
    this.load = load;
  }

  /** One full walk; ends the queue with {@link Batch#END}. {@code databases} empty: those in use now. */
  void walk(List<Integer> databases, Walk walk, BlockingQueue<Batch> queue)
      throws MoveException, InterruptedException {
    List<Integer> dbs = databases.isEmpty() ? databasesInUse(walk) : databases;
    for (int db : dbs) {
      scan(db, walk, queue);
    }
    put(queue, Batch.END, walk);
  }

  private void scan(int db, Walk walk, BlockingQueue<Batch> queue) throws MoveException, InterruptedException {
    Map<BackendAddress, Batch> open = new HashMap<>();
    byte[] cursor = {'0'};
    List<byte[]> keys = new ArrayList<>();
    List<Integer> slots = new ArrayList<>();
    do {
      walk.check();
      RespValue.Array reply = scanOnce(db, cursor, walk);
      cursor = ((RespValue.BulkString) reply.elements().get(0)).bytes();
      List<RespValue> found = ((RespValue.Array) reply.elements().get(1)).elements();
      walk.scanned.addAndGet(found.size());
      keys.clear();
      slots.clear();
      for (RespValue v : found) {
        byte[] key = ((RespValue.BulkString) v).bytes();
        int slot = SlotHash.slot(key);
        if (walk.targetOf.get(slot) != null) {
          walk.found[slot]++;
          keys.add(key);
          slots.add(slot);
        }
      }
      walk.foundTotal.addAndGet(keys.size());
      long[] sizes = options.maxBatchBytes() > 0 && !keys.isEmpty() ? sizes(db, keys, walk) : null;
      for (int i = 0; i < keys.size(); i++) {
        int slot = slots.get(i);
        add(open, walk.targetOf.get(slot), db, keys.get(i), slot, sizes == null ? -1 : sizes[i], walk, queue);
      }
    } while (cursor.length != 1 || cursor[0] != '0');
    for (Batch b : open.values()) {
      put(queue, b, walk);
    }
  }

  private void add(Map<BackendAddress, Batch> open, BackendAddress target, int db, byte[] key, int slot,
      long size, Walk walk, BlockingQueue<Batch> queue) throws InterruptedException {
    if (size >= options.bigKeyBytes()) {
      Batch alone = new Batch(target, db);
      alone.add(key, slot, size);
      put(queue, alone, walk);
      return;
    }
    Batch b = open.get(target);
    if (b != null && options.maxBatchBytes() > 0 && b.bytes + Math.max(size, 0) > options.maxBatchBytes()) {
      put(queue, b, walk);
      b = null;
    }
    if (b == null) {
      b = new Batch(target, db);
      open.put(target, b);
    }
    b.add(key, slot, size);
    if (b.size() >= options.batchKeys()) {
      put(queue, b, walk);
      open.remove(target);
    }
  }

  private RespValue.Array scanOnce(int db, byte[] cursor, Walk walk) throws MoveException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        RespConnection c = connection(db, walk);
        c.send(SCAN, cursor, COUNT, count);
        c.flush();
        RespValue reply = c.read(options.commandWaitNanos(), walk::cancelled);
        if (reply instanceof RespValue.Array a && a.elements().size() == 2) {
          return a;
        }
        throw new MoveException("SCAN on source " + source + " db " + db + " failed: "
            + MigrateReplies.describe(reply), source, null, db, null);
      } catch (IOException e) {
        drop();
        if (attempt >= options.maxAttempts()) {
          throw new MoveException("SCAN of db " + db + " on source " + source + " failed after " + attempt
              + " tries: " + e.getMessage(), source, null, db, e);
        }
        sleep(options.backoffNanos(attempt + 1), walk);
      }
    }
  }

  private long[] sizes(int db, List<byte[]> keys, Walk walk) throws MoveException, InterruptedException {
    try {
      return KeySizes.read(connection(db, walk), keys, options.commandWaitNanos());
    } catch (IOException e) {
      // Sizes only shape batches; without them the keys still move, and MIGRATE timeouts catch big ones.
      drop();
      long[] unknown = new long[keys.size()];
      java.util.Arrays.fill(unknown, -1);
      return unknown;
    }
  }

  /** Databases with keys now, from {@code INFO keyspace}. */
  private List<Integer> databasesInUse(Walk walk) throws MoveException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        RespConnection c = connection(0, walk);
        c.send("INFO", "keyspace");
        RespValue reply = c.flushAndRead(options.commandWaitNanos());
        if (reply instanceof RespValue.BulkString text) {
          return Keyspace.databases(text.utf8());
        }
        throw new MoveException("INFO keyspace on source " + source + " failed: "
            + MigrateReplies.describe(reply), source, null, -1, null);
      } catch (IOException e) {
        drop();
        if (attempt >= options.maxAttempts()) {
          throw new MoveException("source " + source + " unreachable after " + attempt + " tries: "
              + e.getMessage(), source, null, -1, e);
        }
        sleep(options.backoffNanos(attempt + 1), walk);
      }
    }
  }

  private RespConnection connection(int db, Walk walk) throws IOException, InterruptedException {
    if (conn == null) {
      conn = load.connect();
    }
    return conn.select(db, options.commandWaitNanos(), walk::cancelled);
  }

  private void put(BlockingQueue<Batch> queue, Batch b, Walk walk) throws InterruptedException {
    while (!queue.offer(b, 100, TimeUnit.MILLISECONDS)) {
      walk.check();
    }
  }

  private void sleep(long nanos, Walk walk) throws InterruptedException {
    walk.check();
    clock.sleepNanos(nanos);
  }

  /** After any failure or cancellation: the connection may have replies pending. */
  void drop() {
    if (conn != null) {
      conn.close();
      conn = null;
    }
  }

  @Override
  public void close() {
    drop();
  }
}
