package dev.rekko.node.proxy;

import dev.rekko.redis.backend.BackendConnection;
import dev.rekko.redis.backend.BackendIo;
import dev.rekko.redis.io.SelectorLoop;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One selector thread serving many client connections: it reads, decodes and dispatches their commands
 * and writes their replies, all on this thread. It is a {@link BackendIo} too: the backend connections
 * its sessions use run on it ({@code BackendPool.runOn}), so a reply read from Redis is written to the
 * client in the same round, with no hand-off to another thread and no selector wake-up between them.
 *
 * <p>Plain NIO rather than Pekko Streams TCP (see {@link SelectorLoop}): Pekko's TCP connection actor
 * hands each read from its selector thread to a dispatcher thread, then to the stream's actor, re-arms
 * read interest through the selector (an eventfd write and two {@code epoll_ctl} per read) and sends
 * every write as an actor message; measured, that was the largest part of the node's per-command CPU.
 * Here read interest only changes when a session stops or resumes reading.
 */
final class ClientIo extends BackendIo {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClientIo.class);
  // Connections whose session signalled (replies completed off this thread); each one at most once.
  private final Queue<ClientConnection> woken = new ConcurrentLinkedQueue<>();
  private final List<ClientConnection> wokenNow = new ArrayList<>();
  private final Set<ClientConnection> connections = new HashSet<>();
  // Backend connections with commands queued this round; flushed once at its end.
  private final List<BackendConnection> toFlush = new ArrayList<>();
  // Direct: a heap buffer would make the JDK read into a temporary direct one and copy.
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);

  private final ClientMemory memory;
  private final int index;
  private final int count;
  /** The client checks (idle timeouts, memory) run this often; the loop ticks faster for the backend's. */
  private final long clientTickNanos;
  private long nextClientTick;
  private volatile boolean stopped;

  /** Loop {@code index} of {@code count}. */
  ClientIo(String name, int index, int count, long clientTickNanos, ClientMemory memory) {
    super(name);
    this.index = index;
    this.count = count;
    this.clientTickNanos = clientTickNanos;
    this.memory = memory;
    // When the node's clients drop under its memory budget, connections paused by it read again.
    memory.onResume(() -> execute(this::resumeReading));
    start();
  }

  ByteBuffer readBuffer() {
    return readBuffer;
  }

  /**
   * The backend affinity of session {@code sessionId} served here: equal to this loop's index modulo the
   * number of loops, so the pool hands it connections that run on this thread ({@code BackendPool.runOn}).
   */
  int affinity(long sessionId) {
    return index + count * (int) Math.floorMod(sessionId, 1L << 20);
  }

  /** Called from any thread once per signal of the connection's session. */
  void wake(ClientConnection connection) {
    woken.add(connection);
    wakeup();
  }

  void added(ClientConnection connection) {
    connections.add(connection);
  }

  void removed(ClientConnection connection) {
    connections.remove(connection);
  }

  @Override
  protected boolean hasWorkNow() {
    return !woken.isEmpty();
  }

  @Override
  protected void onReady(SelectionKey key) {
    Object a = key.attachment();
    if (a instanceof ClientConnection c) {
      c.onReady(key);
    } else if (a instanceof Runnable r) {
      r.run();
    } else {
      super.onReady(key);
    }
  }

  @Override
  protected void endOfRound() {
    runWoken();
    flushAll();
  }

  @Override
  protected void onTick(long nowNanos) {
    super.onTick(nowNanos);
    if (nowNanos - nextClientTick < 0) {
      return;
    }
    nextClientTick = nowNanos + clientTickNanos;
    for (ClientConnection c : new ArrayList<>(connections)) {
      c.onTick(nowNanos);
    }
    memory.onTick(nowNanos);
  }

  private void resumeReading() {
    for (ClientConnection c : new ArrayList<>(connections)) {
      c.refreshInterest();
    }
  }

  /** Runs {@code task} on this thread after {@code delayNanos}; on this thread only. */
  void later(long delayNanos, Runnable task) {
    schedule(delayNanos, task);
  }

  /** Whether the loop has stopped: closed, or ended by an Error (see {@link SelectorLoop}). */
  boolean stopped() {
    return stopped;
  }

  /** Closes every connection as the loop stops. */
  @Override
  protected void onStop() {
    stopped = true;
    for (ClientConnection c : new ArrayList<>(connections)) {
      c.close();
    }
  }

  /** Flushes {@code c} at the end of this round: at P=1 the commands of every session served in it leave in one write. */
  void flushLater(BackendConnection c) {
    if (!toFlush.contains(c)) {
      toFlush.add(c);
    }
  }

  /** Every connection is flushed even if one fails: a command left unflushed would wait for nobody. */
  private void flushAll() {
    for (int i = 0; i < toFlush.size(); i++) {
      try {
        toFlush.get(i).flush();
      } catch (RuntimeException e) {
        log.error("flushing {} failed", toFlush.get(i), e);
      }
    }
    toFlush.clear();
  }

  /** Only the connections woken so far: one that signals itself again is served in the next round. */
  private void runWoken() {
    ClientConnection c;
    while ((c = woken.poll()) != null) {
      wokenNow.add(c);
    }
    try {
      for (int i = 0; i < wokenNow.size(); i++) {
        wokenNow.get(i).onWake();
      }
    } finally {
      wokenNow.clear();
    }
  }

  static List<ClientIo> startAll(int threads, long tickNanos, ClientMemory memory) {
    List<ClientIo> all = new ArrayList<>();
    int n = Math.max(1, threads);
    for (int i = 0; i < n; i++) {
      all.add(new ClientIo("rekko-client-io-" + i, i, n, tickNanos, memory));
    }
    return all;
  }
}
