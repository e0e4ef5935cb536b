package dev.rekko.node.proxy;

import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendConnection;
import dev.rekko.redis.backend.BackendPool;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The shared backend connections one session sends on: the last one it used (consecutive commands
 * mostly go to the same server, so the pool's map lookup is skipped then) and those a batch queued
 * commands on, flushed together at its end. Session thread only.
 */
final class BackendLinks {
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
   *                 its commands to that server in order)
   * @param flusher  flushes a connection; the I/O thread defers that to the end of its round, so the
   *                 commands of the sessions it served meanwhile share one socket write
   */
  BackendLinks(BackendPool pool, int affinity, Consumer<BackendConnection> flusher) {
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
}
