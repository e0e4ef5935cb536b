package dev.rekko.node.proxy;

import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendConnection;
import dev.rekko.redis.backend.ReplyHandler;

/**
 * A command blocked on a dedicated backend connection ({@link BlockingCalls}): which connection and server
 * it runs on now, and whether a {@code CLIENT UNBLOCK} was sent for this run. The connection goes back to
 * the idle ones only when no UNBLOCK was sent for it: a late UNBLOCK would hit the next command there.
 * Touched by the session's thread (start), a backend I/O thread (the reply) and the sweep; hence the lock.
 */
abstract class BlockedRun implements ReplyHandler, BlockingCalls.Blocked {
  final BlockingCalls calls;
  // Guarded by this.
  private BackendConnection conn;
  private BackendAddress server;
  private boolean unblocking;

  BlockedRun(BlockingCalls calls) {
    this.calls = calls;
  }

  /** A connection of this run's own to {@code to}; the caller sends on it and flushes. */
  final BackendConnection begin(BackendAddress to, int db, int protocol) {
    BackendConnection c = calls.acquire(to, db, protocol);
    synchronized (this) {
      conn = c;
      server = to;
      unblocking = false;
    }
    calls.started(this);
    return c;
  }

  /**
   * The run ended (its reply came, or it failed): the connection is kept for reuse or closed.
   *
   * @return whether an UNBLOCK was sent for it (a nil reply then means "unblocked", not "timed out")
   */
  final boolean end(boolean failed) {
    BackendConnection c;
    boolean unblocked;
    synchronized (this) {
      c = conn;
      unblocked = unblocking;
      conn = null;
      server = null;
    }
    calls.stopped(this);
    if (failed) {
      calls.close(c);
    } else {
      calls.giveBack(c, !unblocked);
    }
    return unblocked;
  }

  /** The client left: the connection closes at once, and Redis drops the blocked client with it. */
  final void drop() {
    BackendConnection c;
    synchronized (this) {
      c = conn;
      conn = null;
      server = null;
    }
    calls.stopped(this);
    calls.close(c);
  }

  @Override
  public final synchronized BackendAddress server() {
    return server;
  }

  @Override
  public final void sweep(RoutingTable table) {
    BackendAddress on;
    boolean again;
    synchronized (this) {
      on = server;
      again = unblocking;
    }
    if (on != null && (again || mustMove(table, on))) {
      unblock();
    }
  }

  @Override
  public final void unblock() {
    BackendConnection c;
    BackendAddress on;
    synchronized (this) {
      if (conn == null) {
        return;
      }
      unblocking = true;
      c = conn;
      on = server;
    }
    long id = c.clientId();
    // Unknown until the handshake answered; the next sweep tries again.
    if (id >= 0) {
      calls.sendUnblock(on, id);
    }
  }

  /** Whether, under {@code table} (null: the node refuses commands now), the run must leave {@code on}. */
  abstract boolean mustMove(RoutingTable table, BackendAddress on);

  /** The blocked command's reply time: beyond its own timeout, so the receive timeout does not end it. */
  static long replyWait(long timeoutNanos, long receiveNanos) {
    return timeoutNanos <= 0 ? Long.MAX_VALUE / 4 : timeoutNanos + receiveNanos;
  }
}
