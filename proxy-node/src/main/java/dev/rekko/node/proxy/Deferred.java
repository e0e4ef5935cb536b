package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.SlotHash;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.ReplyHandler;
import dev.rekko.redis.migrate.Credentials;
import dev.rekko.redis.migrate.MigrateKeys;
import dev.rekko.redis.migrate.MigrateReplies;
import dev.rekko.redis.migrate.ServerMoverSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The commands of one session that cannot go straight to a backend because their slot is being migrated:
 * held while the migration's barrier is taken (or while a group they involve switches its master), or waiting for their keys to be moved from the source
 * ({@code MIGRATE … KEYS}) before they run on the target. Session thread only, except the state an
 * entry's {@code MIGRATE} reply sets.
 *
 * <p>Order: within a slot, entries run strictly in arrival order, and once a slot has an entry here every
 * later command of the session for that slot queues behind it, even when the route has become direct
 * meanwhile; so a client reads its own writes across every step of a migration. Slots do not wait for
 * each other.
 *
 * <p>Timeouts, as the mover's ({@link ServerMoverSettings#migrateTimeoutMillis}): the first {@code MIGRATE} gets
 * {@code rekko.migration.mover.migrate-timeout}. If it times out (a big value), the keys' sizes are asked
 * ({@code MEMORY USAGE}) and the {@code MIGRATE} runs once more with that plus {@code timeout-per-mib} per
 * MiB of the biggest key; its backend connection then waits for the reply as long as the mover would.
 *
 * <p>The {@code MIGRATE} never writes over a key the target holds ({@link MigrateKeys#moving}): such a key
 * stays on the source, and the target answers {@code BUSYKEY}. Then the entry asks the target which of its
 * keys it holds ({@code EXISTS}) and deletes those from the source ({@code DEL}): their copies there are
 * stale or the same value. Only then does the command run on the target, after one more {@code MIGRATE}
 * for the keys the target did not hold; so no later {@code MIGRATE} can bring a stale copy back.
 *
 * <p>An entry may be a {@link Block} instead of one command (a transaction's {@code MULTI … EXEC}, a
 * {@code WATCH}): its keys move as one command's would, and it then sends itself, on the connection it
 * chooses, where the command would have gone.
 */
final class Deferred {
  private static final int NEW = 0;
  private static final int WAITING = 1;
  private static final int MOVED = 2;
  private static final int FAILED = 3;
  /** The MIGRATE timed out: the keys' sizes are to be asked. */
  private static final int TOO_SLOW = 4;
  private static final int SIZING = 5;
  /** Sizes known: the MIGRATE goes again with a timeout for them. */
  private static final int SIZED = 6;
  /** The target holds some keys (BUSYKEY): ask it which ({@code CHECKING}), delete those from the source. */
  private static final int BUSY = 7;
  private static final int CHECKING = 8;
  private static final int CHECKED = 9;
  private static final int CLEARING = 10;
  /** The source's stale copies are gone: the MIGRATE goes again for the rest. */
  private static final int CLEARED = 11;
  /** BUSYKEY answers one entry may get; more would mean keys that keep coming back to the source. */
  private static final int MAX_BUSY = 4;

  private final Session session;
  /** How the source logs in to the target inside MIGRATE: as the node logs in to every backend server. */
  private final Credentials credentials;
  private final List<Entry> entries = new ArrayList<>();
  private final int[] perSlot = new int[SlotHash.SLOTS];
  private final int[] blockedStamp = new int[SlotHash.SLOTS];
  private int stamp;

  /** How an entry's command goes out, on the connection it chooses: one frame, a transaction's block, a blocking call. */
  interface Block {
    /**
     * Sends to {@code server}, the master of {@code route} in the table now in use (the command's keys,
     * if the slot was migrating, are on it); session thread, the caller flushes. It may also answer
     * without sending (a WATCHed transaction whose route changed).
     */
    void send(BackendAddress server, SlotRoute route);
  }

  Deferred(Session session) {
    this.session = session;
    this.credentials = new Credentials(session.ctx().backend.user(), session.ctx().backend.password());
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
   * @param keys  the command's keys, copied: what a {@code MIGRATE} must move before the command runs
   * @param owner the client command's reply slot ({@link BackendLinks#sendOn})
   */
  void add(int slot, int db, byte[] frame, int off, int len, byte[][] keys, ReplyHandler handler, Pending owner,
      boolean write) {
    addBlock(slot, db, keys, handler, write,
        (server, route) -> session.links().sendOn(server, db, frame, off, len, handler, owner, write));
  }

  /**
   * Queues a {@link Block} for {@code slot} as one entry, in order with the slot's commands.
   *
   * @param keys    every key of the block: moved to the target before it is sent
   * @param handler told of a failure (hold timeout, a failed move) instead of the block being sent
   */
  void addBlock(int slot, int db, byte[][] keys, ReplyHandler handler, boolean write, Block block) {
    entries.add(new Entry(session, slot, db, keys, handler, write, System.nanoTime(), block));
    perSlot[slot]++;
  }

  /** Argument {@code arg} of {@code cmd}, copied: an entry outlives the read buffer the command was parsed from. */
  static byte[] copy(Command cmd, int arg) {
    return Arrays.copyOfRange(cmd.array(arg), cmd.offset(arg), cmd.offset(arg) + cmd.length(arg));
  }

  /** Sends whatever can go now under the current routing table; the caller flushes. */
  void process() {
    if (entries.isEmpty()) {
      return;
    }
    stamp++;
    NodeContext ctx = session.ctx();
    RoutingTable table = ctx.router.table();
    long now = System.nanoTime();
    for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (blockedStamp[e.slot] == stamp) {
        continue;
      }
      String failure = null;
      int state = e.state;
      if (state == WAITING || state == SIZING || state == CHECKING || state == CLEARING) {
        blockedStamp[e.slot] = stamp;
        continue;
      }
      if (state == TOO_SLOW || state == SIZED || state == BUSY || state == CHECKED || state == CLEARED) {
        step(e, state);
        blockedStamp[e.slot] = stamp;
        continue;
      }
      SlotRoute r = table == null ? null : table.route(e.slot);
      RouteDecision decision = RouteDecision.of(r, false);
      if (e.held && decision != RouteDecision.HOLD) {
        e.held = false;
        ctx.stats.holdEnded(now - e.since);
      }
      if (state == MOVED && ((decision != RouteDecision.DIRECT && decision != RouteDecision.MIGRATE_FIRST)
          || !e.target.equals(r.master()))) {
        // The slot moved on while its keys were moving (a next migration): start over from the new
        // route, whose source is where the keys are now.
        e.state = NEW;
        state = NEW;
      }
      if (state == FAILED) {
        failure = "ERR slot " + e.slot + " is migrating and moving its keys from " + e.source + " to " + e.target
            + " failed: " + e.failure;
      } else if (state == MOVED) {
        e.block.send(e.target, r);
      } else if (decision == RouteDecision.REFUSED) {
        failure = ctx.router.refusal();
      } else if (decision == RouteDecision.OFFLINE) {
        failure = Errors.SLOT_NOT_READY;
      } else if (decision == RouteDecision.HOLD) {
        e.held = true;
        if (now - e.since <= ctx.migration.holdTimeout().toNanos()) {
          blockedStamp[e.slot] = stamp;
          continue;
        }
        ctx.stats.holdEnded(now - e.since);
        failure = holdEnded(e.slot, r, table, ctx.migration.holdTimeout().toMillis());
      } else if (decision == RouteDecision.MIGRATE_FIRST) {
        e.source = r.migrateFrom();
        e.target = r.master();
        e.sized = false;
        migrate(e, e.moves.migrateTimeoutMillis(-1));
        blockedStamp[e.slot] = stamp;
        continue;
      } else {
        e.block.send(r.master(), r);
      }
      if (failure != null) {
        e.handler.onFailure(failure);
      }
      it.remove();
      perSlot[e.slot]--;
    }
  }

  /**
   * The entry's next step after a MIGRATE that did not settle its keys: after a timeout, ask the keys'
   * sizes, then MIGRATE again with a timeout for them; after a BUSYKEY, ask the target which keys it
   * holds, delete those from the source, then MIGRATE again (unless the target held them all).
   */
  private void step(Entry e, int state) {
    switch (state) {
      case TOO_SLOW -> {
        if (e.keys.length == 0) {
          e.state = FAILED;
          return;
        }
        e.state = SIZING;
        // A size the server will not tell counts as unknown; a connection that failed fails the entry.
        SideCommands.perKey(session, e.source, e.db, SideCommands.MEMORY_USAGE, e.keys, sizes -> {
          e.biggest = sizes.max();
          e.settle(sizes.failure(), SIZED);
        });
      }
      case SIZED -> {
        e.sized = true;
        migrate(e, e.moves.migrateTimeoutMillis(e.biggest));
      }
      case BUSY -> {
        if (++e.busy > MAX_BUSY) {
          e.state = FAILED;
          return;
        }
        e.state = CHECKING;
        e.side = SideCommands.perKey(session, e.target, e.db, SideCommands.EXISTS, e.keys,
            exists -> e.settle(exists.error(), CHECKED));
      }
      case CHECKED -> {
        byte[][] held = e.side.positive(e.keys);
        if (held.length == 0) {
          migrate(e, e.timeoutMillis);
          return;
        }
        e.state = CLEARING;
        int next = held.length == e.keys.length ? MOVED : CLEARED;
        SideCommands.allKeys(session, e.source, e.db, SideCommands.DEL, held,
            deleted -> e.settle(deleted.error(), next));
      }
      default -> migrate(e, e.timeoutMillis);
    }
  }

  /**
   * Moves exactly the command's keys, never over keys the target holds ({@link MigrateKeys#moving}, which
   * says why); keys that are not on the source any more are fine ({@code NOKEY}).
   */
  private void migrate(Entry e, long timeoutMillis) {
    e.timeoutMillis = timeoutMillis;
    e.state = WAITING;
    byte[] migrate = MigrateKeys.moving(e.target, e.db, timeoutMillis, credentials).encode(Arrays.asList(e.keys));
    session.links().sendOn(e.source, e.db, migrate, 0, migrate.length, e, null, true);
  }

  /** One deferred command; also the handler of its {@code MIGRATE} reply (on a backend I/O thread). */
  private static final class Entry implements ReplyHandler {
    final Session session;
    final int slot;
    final int db;
    final byte[][] keys;
    final ReplyHandler handler;
    final boolean write;
    final long since;
    final Block block;
    final ServerMoverSettings moves;
    BackendAddress source;
    BackendAddress target;
    volatile int state = NEW;
    volatile String failure;
    /** The running MIGRATE's timeout; whether it was given one for the keys' sizes; the biggest size. */
    volatile long timeoutMillis;
    boolean sized;
    volatile long biggest;
    /** Held at a barrier or master switch until the hold ends (its time is then recorded). */
    boolean held;
    /** BUSYKEY answers so far; the EXISTS of the last one, on the target. */
    int busy;
    SideCommands side;

    Entry(Session session, int slot, int db, byte[][] keys, ReplyHandler handler, boolean write, long since,
        Block block) {
      this.session = session;
      this.slot = slot;
      this.db = db;
      this.keys = keys;
      this.handler = handler;
      this.write = write;
      this.since = since;
      this.block = block;
      this.moves = session.ctx().migration.groupMover().serverMover();
    }

    @Override
    public void onReply(Reply reply) {
      MigrateReplies.Kind kind = MigrateReplies.classify(reply.value());
      if (kind != MigrateReplies.Kind.MOVED && kind != MigrateReplies.Kind.NO_KEY) {
        failure = MigrateReplies.describe(reply.value());
      }
      state = switch (kind) {
        case MOVED, NO_KEY -> MOVED;
        case BUSY_KEY -> BUSY;
        // Most often a timeout (IOERR): a big value, which the second try gets time for.
        case RETRY -> sized ? FAILED : TOO_SLOW;
        case FAIL -> FAILED;
      };
      session.signal();
    }

    /** A MIGRATE of big keys may take longer than the connection's receive timeout. */
    @Override
    public long replyTimeoutNanos() {
      return moves.replyWaitNanos(timeoutMillis);
    }

    @Override
    public void onFailure(String error) {
      settle(error, FAILED);
    }

    /** Ends a step (on a backend I/O thread): {@code next}, or FAILED with {@code error}. */
    void settle(String error, int next) {
      if (error != null) {
        failure = error;
      }
      state = error != null ? FAILED : next;
      session.signal();
    }
  }

  /** Why a command held for {@code millis} fails: the group it waits for, or the migration's barrier. */
  private static String holdEnded(int slot, SlotRoute r, RoutingTable table, long millis) {
    if (!r.switching()) {
      return "ERR slot " + slot + " is at a migration barrier for longer than " + millis + " ms, try again";
    }
    if (table.topology() != null && RoutingTable.notLearned(table.topology(), r.switchingGroup())) {
      return "ERR slot " + slot + " is served by group " + r.switchingGroup()
          + ", whose servers this node has not learned of for " + millis + " ms, try again";
    }
    return "ERR slot " + slot + " waits for the switch of group " + r.switchingGroup()
        + "'s master for longer than " + millis + " ms, try again";
  }
}
