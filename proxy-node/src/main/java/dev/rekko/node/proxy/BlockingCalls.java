package dev.rekko.node.proxy;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendConnection;
import dev.rekko.redis.backend.BackendPool;
import dev.rekko.redis.backend.ReplyHandler;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's blocking commands (BLPOP, XREAD BLOCK, WAIT …): their budget
 * ({@code rekko.backend.max-blocking-connections}), the dedicated backend connections they block on (a
 * few idle ones per server kept for reuse; one with a command in flight is never shared), and getting
 * them off a server that must be drained or no longer serves their slot: {@code CLIENT UNBLOCK <id>
 * TIMEOUT}, sent from a shared connection and repeated every {@link #SWEEP_MILLIS} ms while the command is
 * still in flight (an UNBLOCK that reaches Redis before the command does nothing).
 */
final class BlockingCalls {
  /** How often {@link #sweep} runs: the delay before a lost race with an UNBLOCK is retried. */
  static final long SWEEP_MILLIS = 50;
  /** Idle dedicated connections kept per server, database and protocol. */
  private static final int MAX_IDLE = 4;

  private final BackendPool pool;
  private final Router router;
  private final int max;
  private final AtomicInteger used = new AtomicInteger();
  private final Set<Blocked> running = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<Key, ConcurrentLinkedDeque<BackendConnection>> idle = new ConcurrentHashMap<>();

  private record Key(BackendAddress server, int db, int protocol) {}

  BlockingCalls(BackendPool pool, Router router, int max) {
    this.pool = pool;
    this.router = router;
    this.max = max;
    pool.onDrain(this::draining);
  }

  /** Takes {@code n} of the budget; false (nothing taken) when that would exceed it. */
  boolean tryAcquire(int n) {
    while (true) {
      int now = used.get();
      if (now + n > max) {
        return false;
      }
      if (used.compareAndSet(now, now + n)) {
        return true;
      }
    }
  }

  void release(int n) {
    used.addAndGet(-n);
  }

  /** Blocking commands running or waiting now (for tests and INFO). */
  int inUse() {
    return used.get();
  }

  String exhausted() {
    return "ERR too many blocked clients on this node (rekko.backend.max-blocking-connections = " + max + ")";
  }

  /** A connection of the caller's own to {@code server}: an idle one that is up, or a new one. */
  BackendConnection acquire(BackendAddress server, int db, int protocol) {
    ConcurrentLinkedDeque<BackendConnection> q = idle.get(new Key(server, db, protocol));
    BackendConnection c;
    while (q != null && (c = q.pollFirst()) != null) {
      if (!c.isClosed() && c.isUp() && c.inFlight() == 0) {
        return c;
      }
      pool.release(c);
    }
    return pool.dedicated(server, db, protocol);
  }

  /**
   * The command on {@code c} was answered: {@code c} is kept for reuse when {@code reusable} (no UNBLOCK
   * was sent for it, which could still arrive and hit the next command) and there is room, else closed.
   */
  void giveBack(BackendConnection c, boolean reusable) {
    if (c == null) {
      return;
    }
    if (reusable && !c.isClosed() && c.isUp() && c.inFlight() == 0) {
      ConcurrentLinkedDeque<BackendConnection> q =
          idle.computeIfAbsent(new Key(c.address(), c.database(), c.protocol()), k -> new ConcurrentLinkedDeque<>());
      if (q.size() < MAX_IDLE) {
        q.addFirst(c);
        return;
      }
    }
    pool.release(c);
  }

  /** Closes {@code c} at once: Redis drops a client blocked on it. */
  void close(BackendConnection c) {
    if (c != null) {
      pool.release(c);
    }
  }

  void started(Blocked b) {
    running.add(b);
  }

  void stopped(Blocked b) {
    running.remove(b);
  }

  /**
   * Unblocks what must not stay blocked under the current routing table (its slot held, migrating away or
   * moved, its master switched), and repeats the UNBLOCKs already sent; after a route change and every
   * {@link #SWEEP_MILLIS} ms.
   */
  void sweep() {
    if (running.isEmpty()) {
      return;
    }
    RoutingTable table = router.table();
    for (Blocked b : running) {
      b.sweep(table);
    }
  }

  /**
   * A migration barrier drains {@code server}: its PING on a dedicated connection waits behind the
   * blocked command, so every blocking command there is unblocked (and re-issued where its route says).
   */
  private void draining(BackendAddress server) {
    for (Blocked b : running) {
      if (server.equals(b.server())) {
        b.unblock();
      }
    }
  }

  /** {@code CLIENT UNBLOCK id TIMEOUT} to {@code server}, from a shared connection. */
  void sendUnblock(BackendAddress server, long clientId) {
    byte[] cmd = new RespWriter(48).writeCommand(bytes("CLIENT"), bytes("UNBLOCK"),
        bytes(Long.toString(clientId)), bytes("TIMEOUT")).toByteArray();
    BackendConnection c = pool.connection(server, 0, 0);
    c.send(cmd, 0, cmd.length, IGNORE, false);
    c.flush();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** UNBLOCK's answer (1 or 0) tells nothing the blocked command's own reply does not. */
  private static final ReplyHandler IGNORE = new ReplyHandler() {
    @Override
    public void onReply(Reply reply) { }

    @Override
    public void onFailure(String error) { }
  };

  /** What a session holds while a blocking command of its own runs: it dispatches nothing after it meanwhile. */
  interface Block {
    /** Not answered yet (and the client did not leave). */
    boolean pending();

    /** Unblocked by Rekko and waiting to be sent again: the session's thread calls {@link #reissueNow}. */
    boolean reissuing();

    void reissueNow();

    /** The client left: what it blocks on is closed at once. */
    void abandon();
  }

  /** One blocking command on one dedicated connection, as the sweep sees it. */
  interface Blocked {
    /** The server it is blocked on now; null while not in flight. */
    BackendAddress server();

    /** Unblocks it when the table says it must move, or again when an UNBLOCK was sent already. */
    void sweep(RoutingTable table);

    /** Unblocks it now (a drain of its server). */
    void unblock();
  }
}
