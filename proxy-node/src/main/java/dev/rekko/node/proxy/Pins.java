package dev.rekko.node.proxy;

import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendConnection;
import dev.rekko.redis.backend.ReplyHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The dedicated backend connections a session holds for its WATCHes ({@link Watch}), one per server.
 * While the session holds one to a server, <em>every</em> command it sends to that server goes on it,
 * so that its commands keep their order there: a pipelined {@code WATCH k, GET k} must not read k before
 * the WATCH is taken, nor a {@code GET k} after {@code EXEC} overtake the EXEC. A pin is given back once
 * no WATCH round uses it and nothing sent on it is unanswered; the session checks that each time it is
 * woken (every reply wakes it), and gives back all of them when it ends ({@link #end}).
 *
 * <p>A round that ends without EXEC reaching the server (UNWATCH, DISCARD, a nil EXEC) leaves keys watched
 * there: if the pin stays (still busy), an {@code UNWATCH} goes on it, so the next round starts clean.
 * Session thread only.
 */
final class Pins {
  private static final byte[] UNWATCH = command("UNWATCH");
  private static final byte[] PING = command("PING");

  private final Session session;
  private final List<Pin> pins = new ArrayList<>(1);

  /** One dedicated connection; {@code users}: WATCH rounds that rely on what it watches. */
  static final class Pin {
    final BackendAddress server;
    final BackendConnection conn;
    /** The database selected on the connection now. */
    int db;
    int users;

    Pin(BackendAddress server, BackendConnection conn, int db) {
      this.server = server;
      this.conn = conn;
      this.db = db;
    }
  }

  Pins(Session session) {
    this.session = session;
  }

  boolean any() {
    return !pins.isEmpty();
  }

  /** The pin to {@code server}, opened on first use; the caller uses it until {@link #done}. */
  Pin take(BackendAddress server, int db) {
    Pin pin = find(server);
    if (pin == null) {
      pin = new Pin(server, session.ctx().pool.dedicated(server, db, session.protocol()), db);
      pins.add(pin);
    }
    pin.users++;
    return pin;
  }

  /** A round stopped using {@code pin}; {@code unwatch}: what it watched is still watched there. */
  void done(Pin pin, boolean unwatch) {
    pin.users--;
    if (pin.users == 0 && idle(pin)) {
      release(pin);
    } else if (unwatch) {
      sendAll(pin, pin.db, new byte[][] {UNWATCH}, new ReplyHandler[] {Transaction.IGNORE}, false);
    }
  }

  /** Sends one command on the pin to {@code server}, if the session holds one; false otherwise. */
  boolean send(BackendAddress server, int db, byte[] bytes, int off, int len, ReplyHandler handler, boolean write) {
    Pin pin = find(server);
    if (pin == null) {
      return false;
    }
    byte[] frame = off == 0 && len == bytes.length ? bytes : java.util.Arrays.copyOfRange(bytes, off, off + len);
    sendAll(pin, db, new byte[][] {frame}, new ReplyHandler[] {handler}, write);
    return true;
  }

  /** As {@link #send}, for a block. */
  boolean sendAll(BackendAddress server, int db, byte[][] frames, ReplyHandler[] handlers, boolean write) {
    Pin pin = find(server);
    if (pin == null) {
      return false;
    }
    sendAll(pin, db, frames, handlers, write);
    return true;
  }

  /** Sends a block on {@code pin} in database {@code db}, selecting it first if need be. */
  void sendAll(Pin pin, int db, byte[][] frames, ReplyHandler[] handlers, boolean write) {
    if (db != pin.db) {
      byte[][] f = new byte[frames.length + 1][];
      ReplyHandler[] h = new ReplyHandler[frames.length + 1];
      f[0] = command("SELECT", Integer.toString(db));
      h[0] = Transaction.IGNORE;
      System.arraycopy(frames, 0, f, 1, frames.length);
      System.arraycopy(handlers, 0, h, 1, handlers.length);
      frames = f;
      handlers = h;
      pin.db = db;
    }
    session.links().sendAll(pin.conn, frames, handlers, write);
  }

  /** Gives back the pins no round uses and with nothing in flight. */
  void settle() {
    for (int i = pins.size() - 1; i >= 0; i--) {
      Pin pin = pins.get(i);
      if (pin.users == 0 && idle(pin)) {
        release(pin);
      }
    }
  }

  /**
   * The session ended: every pin goes back. One with commands still unanswered goes back once a PING
   * behind them has come back: until then the pool still drains it at a barrier, so a block sent before
   * the barrier cannot run on the source after it.
   */
  void end() {
    for (Pin pin : List.copyOf(pins)) {
      if (idle(pin)) {
        release(pin);
        continue;
      }
      pins.remove(pin);
      BackendConnection c = pin.conn;
      ReplyHandler releasing = new ReplyHandler() {
        @Override
        public void onReply(dev.rekko.protocol.resp.Reply reply) {
          session.ctx().pool.release(c);
        }

        @Override
        public void onFailure(String error) {
          session.ctx().pool.release(c);
        }
      };
      c.send(PING, 0, PING.length, releasing, false);
      c.flush();
    }
  }

  /**
   * Nothing sent on the pin is unanswered. Commands sent while a new connection is still connecting are
   * held apart and not counted in its {@code inFlight()}: a connection not up yet is never idle (one that
   * is down has failed what it held, and is given back once it is up again, or closed with its server).
   */
  private static boolean idle(Pin pin) {
    BackendConnection c = pin.conn;
    return c.isClosed() || c.isUp() && c.inFlight() == 0;
  }

  private Pin find(BackendAddress server) {
    for (int i = 0; i < pins.size(); i++) {
      Pin pin = pins.get(i);
      // A pin speaks the RESP version it was opened with; after HELLO switched it, new commands do not go there.
      if (pin.server.equals(server) && pin.conn.protocol() == session.protocol()) {
        return pin;
      }
    }
    return null;
  }

  private void release(Pin pin) {
    pins.remove(pin);
    session.ctx().pool.release(pin.conn);
  }

  private static byte[] command(String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.US_ASCII);
    }
    return new RespWriter(32).writeCommand(argv).toByteArray();
  }
}
