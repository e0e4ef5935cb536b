package dev.rekko.node.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import dev.rekko.redis.backend.BackendConnection;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread serving many client connections: it reads, decodes and dispatches their commands
 * and writes their replies, all on this thread.
 *
 * <p>Plain NIO rather than Pekko Streams TCP, for the reason {@code BackendIo} gives: at pipeline depth 1
 * a command costs the thread hand-offs and system calls it crosses. Pekko's TCP connection actor hands
 * each read from its selector thread to a dispatcher thread, then to the stream's actor, re-arms read
 * interest through the selector (an eventfd write and two {@code epoll_ctl} per read) and sends every
 * write as an actor message; measured, that was the largest part of the node's per-command CPU. Here a
 * read, its backend writes and, once replies are in, the client write are plain calls on one thread,
 * and read interest only changes when a session stops or resumes reading.
 */
final class ClientIo implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClientIo.class);

  private final Selector selector;
  private final Thread thread;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  // Connections whose session signalled (replies completed off this thread); each one at most once.
  private final Queue<ClientConnection> woken = new ConcurrentLinkedQueue<>();
  private final List<ClientConnection> wokenNow = new ArrayList<>();
  private final Set<ClientConnection> connections = new HashSet<>();
  // Backend connections with commands queued this round; flushed once at its end.
  private final List<BackendConnection> toFlush = new ArrayList<>();
  // Direct: a heap buffer would make the JDK read into a temporary direct one and copy.
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
  private final long tickNanos;
  private volatile boolean running = true;
  private long nextTick;

  ClientIo(String name, long tickNanos) {
    this.tickNanos = tickNanos;
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a selector", e);
    }
    thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  Selector selector() {
    return selector;
  }

  ByteBuffer readBuffer() {
    return readBuffer;
  }

  /** Runs {@code task} on this I/O thread. */
  void execute(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  /** Called from any thread once per signal of the connection's session. */
  void wake(ClientConnection connection) {
    woken.add(connection);
    if (Thread.currentThread() != thread) {
      selector.wakeup();
    }
  }

  void added(ClientConnection connection) {
    connections.add(connection);
  }

  void removed(ClientConnection connection) {
    connections.remove(connection);
  }

  private void loop() {
    while (running) {
      try {
        if (woken.isEmpty()) {
          selector.select(Math.max(1, tickNanos / 1_000_000));
        } else {
          selector.selectNow();
        }
        runTasks();
        var keys = selector.selectedKeys();
        for (SelectionKey key : keys) {
          Object a = key.attachment();
          if (!key.isValid()) {
            continue;
          }
          if (a instanceof ClientConnection c) {
            c.onReady(key);
          } else if (a instanceof Runnable r) {
            r.run();
          }
        }
        keys.clear();
        runWoken();
        flushAll();
        long now = System.nanoTime();
        if (now - nextTick >= 0) {
          nextTick = now + tickNanos;
          for (ClientConnection c : new ArrayList<>(connections)) {
            c.onTick(now);
          }
        }
      } catch (Throwable t) {
        // One bad connection must not stop the loop that serves all the others.
        log.error("client I/O loop error", t);
      }
    }
    for (ClientConnection c : new ArrayList<>(connections)) {
      c.close();
    }
    runTasks();
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private void runTasks() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      try {
        task.run();
      } catch (Throwable t) {
        log.error("client I/O task failed", t);
      }
    }
  }

  /** Flushes {@code c} at the end of this round: at P=1 the commands of every session served in it leave in one write. */
  void flushLater(BackendConnection c) {
    if (!toFlush.contains(c)) {
      toFlush.add(c);
    }
  }

  private void flushAll() {
    try {
      for (int i = 0; i < toFlush.size(); i++) {
        toFlush.get(i).flush();
      }
    } finally {
      toFlush.clear();
    }
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

  /** Closes every connection and stops the thread. */
  @Override
  public void close() {
    running = false;
    selector.wakeup();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static List<ClientIo> start(int threads, long tickNanos) {
    List<ClientIo> all = new ArrayList<>();
    for (int i = 0; i < Math.max(1, threads); i++) {
      all.add(new ClientIo("rekko-client-io-" + i, tickNanos));
    }
    return all;
  }
}
