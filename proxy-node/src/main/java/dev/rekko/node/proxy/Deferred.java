package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.SlotHash;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.ReplyHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The commands of one session that cannot go straight to a backend because their slot is being migrated:
 * held while the migration's barrier is taken, or waiting for their keys to be moved from the source
 * ({@code MIGRATE … KEYS}) before they run on the target. Session thread only, except the state an
 * entry's {@code MIGRATE} reply sets.
 *
 * <p>Order: within a slot, entries run strictly in arrival order, and once a slot has an entry here every
 * later command of the session for that slot queues behind it, even when the route has become direct
 * meanwhile; so a client reads its own writes across every step of a migration. Slots do not wait for
 * each other.
 */
final class Deferred {
  private static final int NEW = 0;
  private static final int WAITING = 1;
  private static final int MOVED = 2;
  private static final int FAILED = 3;

  private final Session session;
  private final List<Entry> entries = new ArrayList<>();
  private final int[] perSlot = new int[SlotHash.SLOTS];
  private final int[] blockedStamp = new int[SlotHash.SLOTS];
  private int stamp;

  Deferred(Session session) {
    this.session = session;
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  boolean has(int slot) {
    return perSlot[slot] > 0;
  }

  /**
   * Queues a command for {@code slot}.
   *
   * @param keys the command's keys, copied: what a {@code MIGRATE} must move before the command runs
   */
  void add(int slot, int db, byte[] frame, int off, int len, byte[][] keys, ReplyHandler handler) {
    entries.add(new Entry(session, slot, db, frame, off, len, keys, handler, System.nanoTime()));
    perSlot[slot]++;
  }

  /** Sends whatever can go now under the current routing table; the caller flushes. */
  void process() {
    if (entries.isEmpty()) {
      return;
    }
    stamp++;
    NodeContext ctx = session.ctx;
    RoutingTable table = ctx.router.table();
    long now = System.nanoTime();
    for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (blockedStamp[e.slot] == stamp) {
        continue;
      }
      String failure = null;
      int state = e.state;
      if (state == WAITING) {
        blockedStamp[e.slot] = stamp;
        continue;
      }
      if (state == MOVED) {
        SlotRoute r = table == null ? null : table.route(e.slot);
        if (r == null || r.hold() || !e.target.equals(r.master())) {
          // The slot moved on while its keys were moving (a next migration): start over from the new
          // route, whose source is where the keys are now.
          e.state = NEW;
          state = NEW;
        }
      }
      if (state == FAILED) {
        failure = "ERR slot " + e.slot + " is migrating and moving its keys from " + e.source + " to " + e.target
            + " failed: " + e.failure;
      } else if (state == MOVED) {
        session.sendOn(e.target, e.db, e.frame, e.off, e.len, e.handler);
      } else {
        SlotRoute r = table == null ? null : table.route(e.slot);
        if (r == null) {
          failure = ctx.router.refusal();
        } else if (!r.online()) {
          failure = Errors.SLOT_NOT_READY;
        } else if (r.hold()) {
          if (now - e.since <= ctx.migration.holdTimeout().toNanos()) {
            blockedStamp[e.slot] = stamp;
            continue;
          }
          failure = "ERR slot " + e.slot + " is at a migration barrier for longer than "
              + ctx.migration.holdTimeout().toMillis() + " ms, try again";
        } else if (r.migrateFrom() != null) {
          e.source = r.migrateFrom();
          e.target = r.master();
          e.state = WAITING;
          byte[] migrate = migrateCommand(ctx, e);
          session.sendOn(e.source, e.db, migrate, 0, migrate.length, e);
          blockedStamp[e.slot] = stamp;
          continue;
        } else {
          session.sendOn(r.master(), e.db, e.frame, e.off, e.len, e.handler);
        }
      }
      if (failure != null) {
        e.handler.onFailure(failure);
      }
      it.remove();
      perSlot[e.slot]--;
    }
  }

  /**
   * {@code MIGRATE host port "" db timeout REPLACE [AUTH…] KEYS k…}: moves exactly the command's keys;
   * keys that are not on the source any more are fine ({@code NOKEY}). REPLACE because the target can
   * only hold older copies left by an interrupted move, never newer writes: after the barrier nobody
   * writes to the source, and every write to the target is preceded by this move.
   */
  private static byte[] migrateCommand(NodeContext ctx, Entry e) {
    String user = ctx.backend.user();
    String password = ctx.backend.password();
    int auth = password.isEmpty() ? 0 : user.isEmpty() ? 2 : 3;
    RespWriter w = new RespWriter(128);
    w.writeArrayHeader(7 + auth + 1 + e.keys.length);
    bulk(w, "MIGRATE");
    bulk(w, e.target.host());
    bulk(w, Integer.toString(e.target.port()));
    bulk(w, "");
    bulk(w, Integer.toString(e.db));
    bulk(w, Long.toString(ctx.migration.keyTimeout().toMillis()));
    bulk(w, "REPLACE");
    if (auth == 2) {
      bulk(w, "AUTH");
      bulk(w, password);
    } else if (auth == 3) {
      bulk(w, "AUTH2");
      bulk(w, user);
      bulk(w, password);
    }
    bulk(w, "KEYS");
    for (byte[] k : e.keys) {
      w.writeBulk(k, 0, k.length);
    }
    return w.toByteArray();
  }

  private static void bulk(RespWriter w, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    w.writeBulk(b, 0, b.length);
  }

  /** One deferred command; also the handler of its {@code MIGRATE} reply (on a backend I/O thread). */
  private static final class Entry implements ReplyHandler {
    final Session session;
    final int slot;
    final int db;
    final byte[] frame;
    final int off;
    final int len;
    final byte[][] keys;
    final ReplyHandler handler;
    final long since;
    BackendAddress source;
    BackendAddress target;
    volatile int state = NEW;
    volatile String failure;

    Entry(Session session, int slot, int db, byte[] frame, int off, int len, byte[][] keys,
        ReplyHandler handler, long since) {
      this.session = session;
      this.slot = slot;
      this.db = db;
      this.frame = frame;
      this.off = off;
      this.len = len;
      this.keys = keys;
      this.handler = handler;
      this.since = since;
    }

    @Override
    public void onReply(Reply reply) {
      if (reply.isError()) {
        failure = new String(reply.frameArray(), reply.frameOffset() + 1, Math.max(0, reply.frameLength() - 3),
            StandardCharsets.ISO_8859_1);
        state = FAILED;
      } else {
        state = MOVED;
      }
      session.signal();
    }

    @Override
    public void onFailure(String error) {
      failure = error;
      state = FAILED;
      session.signal();
    }
  }
}
