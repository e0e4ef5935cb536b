package dev.rekko.redis.migrate;

import dev.rekko.protocol.resp.RespValue;
import dev.rekko.redis.backend.BackendAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * What a {@link Migrator} does when its MIGRATE is answered {@link MigrateReplies#BUSY_KEY}: the target
 * already holds some of the batch's keys, and those stayed on the source (the others moved). A key on
 * the target is at least as new as the source's copy, which is stale (a source whose replica was
 * promoted before it received a moved key's DEL) or the same value (a MIGRATE that timed out after the
 * target had restored the key, a copy lane's DEL that never came); so the source's copies of the keys
 * the target holds are deleted, and the keys it does not hold are left to try again.
 *
 * <p>Asking the target first and deleting on the source after is safe in that order: once the target
 * has held a key during the migration, the source's copy is never needed again, whatever happens to
 * the key on the target meanwhile.
 */
final class StaleCopies implements AutoCloseable {
  private static final byte[] EXISTS = "EXISTS".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DEL = "DEL".getBytes(StandardCharsets.US_ASCII);

  private final Credentials credentials;
  private final ServerMoverSettings options;
  private final Map<BackendAddress, RespConnection> targets = new HashMap<>();

  StaleCopies(Credentials credentials, ServerMoverSettings options) {
    this.credentials = credentials;
    this.options = options;
  }

  /**
   * Deletes from {@code source} (with {@code b}'s database selected and nothing in flight) the keys of
   * {@code b} that its target holds, counted as moved by the MIGRATE that kept the source busy for
   * {@code blockedNanos}; returns the others, with {@code b}'s tries, or null when there are none. On an
   * IOException nothing is counted and the target connection is closed.
   */
  Batch clear(Batch b, RespConnection source, long blockedNanos, Walk walk) throws IOException, InterruptedException {
    Batch held = new Batch(b.target, b.db);
    Batch rest = new Batch(b.target, b.db);
    try {
      RespConnection t = target(b.target).select(b.db, options.commandWaitNanos(), walk::cancelled);
      for (byte[] key : b.keys) {
        t.send(EXISTS, key);
      }
      t.flush();
      for (int i = 0; i < b.size(); i++) {
        RespValue r = t.read(options.commandWaitNanos(), walk::cancelled);
        if (!(r instanceof RespValue.Integer n)) {
          throw new IOException("EXISTS on target " + b.target + " failed: " + MigrateReplies.describe(r));
        }
        (n.value() > 0 ? held : rest).add(b.keys.get(i), b.slot(i), 0);
      }
    } catch (IOException e) {
      drop(b.target);
      throw e;
    }
    if (held.size() > 0) {
      byte[][] del = new byte[1 + held.size()][];
      del[0] = DEL;
      for (int i = 0; i < held.size(); i++) {
        del[1 + i] = held.keys.get(i);
      }
      source.send(del);
      source.flush();
      RespValue r = source.read(options.commandWaitNanos(), walk::cancelled);
      if (!(r instanceof RespValue.Integer)) {
        throw new IOException("DEL on source " + source.address() + " failed: " + MigrateReplies.describe(r));
      }
      walk.completed(held, true, blockedNanos);
    }
    if (rest.size() == 0) {
      return null;
    }
    rest.bytes = b.bytes;
    rest.attempts = b.attempts;
    rest.probed = b.probed;
    return rest;
  }

  private RespConnection target(BackendAddress address) throws IOException {
    RespConnection c = targets.get(address);
    if (c == null || c.isClosed()) {
      // The groups of a deployment share their credentials, as MIGRATE's AUTH assumes.
      c = RespConnection.open(address, credentials, options);
      targets.put(address, c);
    }
    return c;
  }

  private void drop(BackendAddress address) {
    RespConnection c = targets.remove(address);
    if (c != null) {
      c.close();
    }
  }

  @Override
  public void close() {
    targets.values().forEach(RespConnection::close);
    targets.clear();
  }
}
