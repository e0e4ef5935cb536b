package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.SlotHash;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.ReplyHandler;
import java.nio.charset.StandardCharsets;

/**
 * WATCH for one session. Redis keeps a WATCH on the connection that sent it, and a shared backend
 * connection cannot carry one: the session opens a connection of its own to the slot's master
 * ({@link dev.rekko.redis.backend.BackendPool#dedicated}), sends the WATCHes there, and later the
 * transaction's {@code MULTI … EXEC} on the same connection ({@link Pins}, which also says when it goes
 * back). EXEC, DISCARD, UNWATCH and RESET end the round. All watched keys must be in one slot
 * ({@code CROSSSLOT} otherwise), as a transaction's keys must be.
 *
 * <p>The first WATCH that goes out records the <em>route identity</em>: the master, the slot entry's epoch
 * and the group entry's epoch. A later WATCH, or the EXEC, finding another identity (a migration stepped,
 * the master was switched, the group changed) or a connection that failed meanwhile (its incarnation
 * changed: its client id), means the watched keys may have changed where this connection cannot see it:
 * the EXEC answers nil, Redis's answer for "a watched key was touched", and the client retries. A WATCH of
 * a slot held or migrating waits in the session's {@link Deferred} queue like a command (its keys move to
 * the target first) and is then taken on the target.
 *
 * <p>Session thread only, but for {@link Watched#lost} and {@link Watched#clientId}, which reply handlers set.
 */
final class Watch {
  private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Session session;
  private final Pins pins;
  /** What this round (first WATCH to EXEC, DISCARD or UNWATCH) watches; null when nothing is watched. */
  private Watched current;

  Watch(Session session) {
    this.session = session;
    this.pins = new Pins(session);
  }

  /** The watched keys' slot; -1 when nothing is watched. */
  int slot() {
    return current == null ? -1 : current.slot;
  }

  /** WATCH key [key …], outside MULTI. */
  void watch(Command cmd, CommandSpec spec, Pending p) {
    int[] positions = session.keyPositions(cmd.argc());
    int n = spec.keyIndexes(cmd, positions);
    int slot = SlotHash.slot(cmd.array(positions[0]), cmd.offset(positions[0]), cmd.length(positions[0]));
    byte[][] keys = new byte[n][];
    for (int i = 0; i < n; i++) {
      int k = positions[i];
      if (SlotHash.slot(cmd.array(k), cmd.offset(k), cmd.length(k)) != slot) {
        p.completeError(Errors.CROSSSLOT);
        return;
      }
      keys[i] = Deferred.copy(cmd, k);
    }
    if (current != null && current.slot != slot) {
      p.completeError(Errors.CROSSSLOT);
      return;
    }
    if (current == null) {
      current = new Watched(session, pins, slot);
    }
    Watched w = current;
    if (w.broken) {
      // Redis: "no point in watching if the client is already dirty".
      p.complete(OK);
      return;
    }
    Router router = session.ctx().router;
    RoutingTable table = router.table();
    if (table == null) {
      // Nothing could be watched: an EXEC the client sends anyway must not run unwatched.
      w.broken = true;
      p.completeError(router.refusal());
      return;
    }
    SlotRoute route = table.route(slot);
    RouteDecision decision = session.decide(route);
    int db = session.db();
    byte[] frame = Transaction.frame(cmd);
    WatchReply reply = new WatchReply(w, p);
    Deferred.Block send = (server, r) -> w.watchOn(server, r, db, frame, reply);
    if (decision == RouteDecision.DIRECT) {
      send.send(route.master(), route);
    } else if (decision.deferred()) {
      session.deferred().addBlock(slot, db, keys, reply, false, send);
    } else {
      w.broken = true;
      p.completeError(Errors.SLOT_NOT_READY);
    }
  }

  /** UNWATCH, DISCARD, RESET: nothing is watched any more. */
  void clear() {
    if (current != null) {
      current.finish(true);
      current = null;
    }
  }

  /** EXEC: the round goes with the transaction, which {@link Watched#finish finishes} it; null if none. */
  Watched handOver() {
    Watched w = current;
    current = null;
    return w;
  }

  /** Whether a round is open: reads then go to the master, where the WATCH is. */
  boolean watching() {
    return current != null;
  }

  Pins pins() {
    return pins;
  }

  /** The session ended: every dedicated connection goes back to the pool. */
  void end() {
    current = null;
    pins.end();
  }

  /** One round of WATCHes: the pin it watches on and the route identity it was taken under. */
  static final class Watched {
    private static final long UNKNOWN = -1;
    private final Session session;
    private final Pins pins;
    final int slot;
    /** Set on the session thread before the first WATCH goes out; read by its reply handler. */
    private volatile Pins.Pin pin;
    private BackendAddress server;
    private long slotEpoch;
    private long groupEpoch;
    private int protocol;
    /** The route changed between two WATCHes, or a WATCH could not be sent: EXEC answers nil. */
    boolean broken;
    /** A WATCH failed or was refused on the connection: what it watched is gone. */
    volatile boolean lost;
    /** The connection's incarnation (server-side client id) that answered the first WATCH. */
    private volatile long clientId = UNKNOWN;
    /** EXEC went out, or the round ended without it. */
    private boolean finished;

    Watched(Session session, Pins pins, int slot) {
      this.session = session;
      this.pins = pins;
      this.slot = slot;
    }

    /** Sends one WATCH to {@code server}, the slot's master under {@code route}; session thread. */
    void watchOn(BackendAddress server, SlotRoute route, int db, byte[] frame, WatchReply reply) {
      if (finished || broken) {
        // Unwatched meanwhile (UNWATCH, DISCARD, RESET), or already dirty: as Redis, the WATCH is just OK.
        reply.p.complete(OK);
        return;
      }
      RoutingTable table = session.ctx().router.table();
      long group = table == null ? -2 : table.groupEpoch(route.group());
      if (pin == null) {
        this.server = server;
        slotEpoch = route.epoch();
        groupEpoch = group;
        protocol = session.protocol();
        pin = pins.take(server, db);
      } else if (!server.equals(this.server) || route.epoch() != slotEpoch || group != groupEpoch) {
        broken = true;
        reply.p.complete(OK);
        return;
      }
      pins.sendAll(pin, db, new byte[][] {frame}, new ReplyHandler[] {reply}, false);
    }

    /**
     * Whether the transaction may run on the pin now: same master, slot epoch and group epoch as at the
     * first WATCH, same RESP version, and the same incarnation of a connection that is up.
     */
    boolean intact(BackendAddress target, SlotRoute route, RoutingTable table) {
      Pins.Pin p = pin;
      long id = clientId;
      return !broken && !lost && !finished && p != null && table != null && target.equals(server)
          && route.epoch() == slotEpoch && table.groupEpoch(route.group()) == groupEpoch
          && protocol == session.protocol() && !p.conn.isClosed() && p.conn.isUp()
          && (id == UNKNOWN || p.conn.clientId() == id);
    }

    /** Sends the transaction's block on the pin (after {@link #intact}); EXEC ends the watch there. */
    void exec(int db, byte[][] block, ReplyHandler[] handlers, boolean write) {
      pins.sendAll(pin, db, block, handlers, write);
      finished = true;
      pins.done(pin, false);
    }

    /** The round ends without its EXEC reaching the server; {@code unwatch}: keys may still be watched there. */
    void finish(boolean unwatch) {
      if (finished) {
        return;
      }
      finished = true;
      if (pin != null) {
        pins.done(pin, unwatch);
      }
    }
  }

  /** WATCH's reply, passed on to the client; a WATCH that failed loses the round's watch. */
  static final class WatchReply implements ReplyHandler {
    private final Watched watched;
    final Pending p;

    WatchReply(Watched watched, Pending p) {
      this.watched = watched;
      this.p = p;
    }

    @Override
    public void onReply(Reply reply) {
      if (reply.isError()) {
        watched.lost = true;
      } else if (watched.clientId == Watched.UNKNOWN && watched.pin != null) {
        watched.clientId = watched.pin.conn.clientId();
      }
      p.onReply(reply);
    }

    @Override
    public void onFailure(String error) {
      watched.lost = true;
      p.onFailure(error);
    }
  }
}
