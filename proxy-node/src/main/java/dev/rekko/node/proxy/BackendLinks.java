package dev.rekko.node.proxy;

import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendConnection;
import dev.rekko.redis.backend.BackendPool;
import dev.rekko.redis.backend.ReplyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The shared backend connections one session sends on: the last one it used (consecutive commands
 * mostly go to the same server, so the pool's map lookup is skipped then) and those a batch queued
 * commands on, flushed together at its end. Session thread only.
 */
final class BackendLinks {
  private final Session session;
  private final BackendPool pool;
  private final int affinity;
  private final Consumer<BackendConnection> flusher;
  private final List<BackendConnection> touched = new ArrayList<>(4);
  private BackendAddress lastServer;
  private int lastDb = -1;
  private int lastProtocol;
  private BackendConnection lastConnection;

  /**
   * @param affinity which of a server's connections the session uses (the same one always, which keeps
   *                 its commands to that server in order; on the nio transport one read on the session's
   *                 own I/O thread, {@link ClientIo#affinity})
   * @param flusher  flushes a connection; the I/O thread defers that to the end of its round, so the
   *                 commands of the sessions it served meanwhile share one socket write
   */
  BackendLinks(Session session, BackendPool pool, int affinity, Consumer<BackendConnection> flusher) {
    this.session = session;
    this.pool = pool;
    this.affinity = affinity;
    this.flusher = flusher;
  }

  /** The session's shared connection to {@code server}, database and RESP version. */
  BackendConnection to(BackendAddress server, int database, int protocol) {
    BackendConnection c = lastConnection;
    if (!server.equals(lastServer) || database != lastDb || protocol != lastProtocol || c.isClosed()) {
      c = pool.connection(server, database, protocol, affinity);
      lastServer = server;
      lastDb = database;
      lastProtocol = protocol;
      lastConnection = c;
    }
    return c;
  }

  /** {@code c} carries commands of this batch: flushed by {@link #flush}. */
  void touch(BackendConnection c) {
    if (!touched.contains(c)) {
      touched.add(c);
    }
  }

  /** Sends every backend write the batch queued, one socket write per connection. */
  void flush() {
    for (int i = 0; i < touched.size(); i++) {
      flusher.accept(touched.get(i));
    }
    touched.clear();
  }

  /**
   * Sends on the session's connection to {@code server} and database {@code database}: the shared one,
   * or the session's dedicated one while it holds one to that server for a WATCH ({@link Pins}).
   *
   * @param owner the reply slot of the client command this serves (the command itself, or the one a split
   *              or fan-out part belongs to): the slow log names {@code server} as its backend; null for
   *              the node's own commands (a migration's MIGRATE)
   * @param write the command may change data ({@code CommandSpec.mayWrite}): with durable writes on,
   *              its reply waits until a replica confirms it
   */
  void sendOn(BackendAddress server, int database, byte[] bytes, int off, int len, ReplyHandler handler,
      Pending owner, boolean write) {
    if (owner != null) {
      owner.backend = server;
    }
    Transaction t = session.transactionIfAny();
    if (t != null && t.pins().send(server, database, bytes, off, len, handler, write)) {
      return;
    }
    BackendConnection c = to(server, database, session.protocol());
    c.send(bytes, off, len, handler, write);
    touch(c);
  }

  /** Sends a block no other command can split ({@code MULTI … EXEC}) on the session's connection. */
  void sendAllOn(BackendAddress server, int database, byte[][] commands, ReplyHandler[] handlers, boolean write) {
    Pending owner = session.dispatching();
    if (owner != null) {
      owner.backend = server;
    }
    Transaction t = session.transactionIfAny();
    if (t == null || !t.pins().sendAll(server, database, commands, handlers, write)) {
      sendAll(to(server, database, session.protocol()), commands, handlers, write);
    }
  }

  /** Sends a block on {@code c} (a dedicated connection, or one of the session's); flushed with the batch. */
  void sendAll(BackendConnection c, byte[][] commands, ReplyHandler[] handlers, boolean write) {
    c.sendAll(commands, handlers, write);
    touch(c);
  }
}
