package dev.rekko.redis.backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread serving many backend connections: connects, reads and decodes replies, writes
 * what callers could not write directly, and runs the periodic checks (timeouts, pings, reconnects).
 *
 * <p>Plain NIO rather than Pekko Streams TCP: at low pipeline depth a request's cost is the number of
 * thread hand-offs it crosses, and this keeps the backend leg at one (callers write to the socket
 * themselves; only the reply crosses from this thread back to the session).
 */
final class BackendIo implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BackendIo.class);
  private static final long TICK_NANOS = 50_000_000L;

  private final Selector selector;
  private final Thread thread;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final List<BackendConnection> connections = new CopyOnWriteArrayList<>();
  private final java.nio.ByteBuffer readBuffer = java.nio.ByteBuffer.allocate(64 * 1024);
  private volatile boolean running = true;
  private long nextTick;

  BackendIo(String name) {
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

  /** Scratch buffer for socket reads; the I/O thread copies what it read out of it. */
  java.nio.ByteBuffer readBuffer() {
    return readBuffer;
  }

  boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Runs {@code task} on this I/O thread. */
  void execute(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  void register(BackendConnection connection) {
    connections.add(connection);
  }

  void unregister(BackendConnection connection) {
    connections.remove(connection);
  }

  private void loop() {
    while (running) {
      try {
        selector.select(50);
        runTasks();
        var keys = selector.selectedKeys();
        for (SelectionKey key : keys) {
          ((BackendConnection) key.attachment()).onReady(key);
        }
        keys.clear();
        long now = System.nanoTime();
        if (now - nextTick >= 0) {
          nextTick = now + TICK_NANOS;
          for (BackendConnection c : connections) {
            c.onTick(now);
          }
        }
      } catch (Throwable t) {
        // One bad connection must not stop the loop that serves all the others.
        log.error("backend I/O loop error", t);
      }
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
        log.error("backend I/O task failed", t);
      }
    }
  }

  @Override
  public void close() {
    for (BackendConnection c : connections) {
      c.close();
    }
    running = false;
    selector.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
