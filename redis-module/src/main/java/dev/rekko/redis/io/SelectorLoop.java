package dev.rekko.redis.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread running one NIO selector for many connections: the skeleton that the node's client side
 * and its backend side share. Each round selects (or only polls, when {@link #hasWorkNow} says so),
 * runs the tasks other threads handed over with {@link #execute}, serves the ready keys, then the
 * subclass's end of round, and every {@code tickNanos} its periodic checks.
 *
 * <p>Plain NIO rather than Pekko Streams TCP: at low pipeline depth a command costs the thread
 * hand-offs and system calls it crosses, and here a read, what it causes and the write that follows
 * are plain calls on one thread. A subclass calls {@link #start()} at the end of its constructor.
 *
 * <p>An exception thrown while serving one connection is logged and the loop goes on: it must not
 * stop the loop that serves all the others. An {@link Error} is not caught that way: after an
 * {@code OutOfMemoryError} or a {@code StackOverflowError} nothing this thread holds can be trusted,
 * and carrying on would leave half-done rounds (a woken connection never served, a backend write never
 * flushed) that stall clients without a trace. The loop then stops, closes what it serves (clients see
 * their connection close rather than hang) and rethrows the error to the thread's uncaught-exception
 * handler. Nodes run with {@code -XX:+ExitOnOutOfMemoryError}, so an out-of-memory ends the process.
 */
public abstract class SelectorLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SelectorLoop.class);

  private final Selector selector;
  private final Thread thread;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final long tickNanos;
  private volatile boolean running = true;
  private long nextTick;
  // Loop thread only: tasks due at a time, soonest first.
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private long timerSeq;

  // Loads Timer with the loop: a timer may be set when no file can be opened (EMFILE back-off), and
  // then a class still to be read from a classpath folder could not be.
  private static final Timer NONE = new Timer(0, -1, () -> { });

  private record Timer(long at, long seq, Runnable task) implements Comparable<Timer> {
    @Override
    public int compareTo(Timer o) {
      int c = Long.compare(at - o.at, 0);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  protected SelectorLoop(String name, long tickNanos) {
    this.tickNanos = tickNanos;
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a selector", e);
    }
    thread = new Thread(this::loop, name);
    thread.setDaemon(true);
  }

  /** Starts the thread; once, when the subclass is fully built. */
  protected final void start() {
    thread.start();
  }

  public final Selector selector() {
    return selector;
  }

  public final boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Runs {@code task} on this loop's thread. */
  public final void execute(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  /** Runs {@code task} on this loop's thread once {@code delayNanos} have passed; call it on that thread. */
  protected final void schedule(long delayNanos, Runnable task) {
    timers.add(new Timer(System.nanoTime() + delayNanos, timerSeq++, task));
  }

  /** Wakes the thread from its select, unless the caller is that thread. */
  protected final void wakeup() {
    if (!inLoop()) {
      selector.wakeup();
    }
  }

  /** Serves one ready, valid key. */
  protected abstract void onReady(SelectionKey key);

  /** The periodic checks (timeouts, pings, reconnects). */
  protected abstract void onTick(long nowNanos);

  /** Work to do after the ready keys of each round (such as writes gathered during it). */
  protected void endOfRound() {}

  /** True when the next round must not wait for I/O, because there is work already. */
  protected boolean hasWorkNow() {
    return false;
  }

  /** On the thread, as the loop stops, before the last tasks run and the selector closes. */
  protected void onStop() {}

  private void loop() {
    Error fatal = null;
    try {
      while (running) {
        try {
          round();
        } catch (IOException | RuntimeException e) {
          // One bad connection must not stop the loop that serves all the others.
          log.error("{}: I/O loop error", thread.getName(), e);
        }
      }
    } catch (Error e) {
      fatal = e;
      log.error("{}: fatal error, the loop stops and closes what it serves", thread.getName(), e);
    } finally {
      running = false;
      try {
        onStop();
        runTasks();
      } catch (RuntimeException e) {
        log.error("{}: stopping failed", thread.getName(), e);
      } finally {
        try {
          selector.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
    if (fatal != null) {
      throw fatal;
    }
  }

  private void round() throws IOException {
    long selectMillis = Math.max(1, tickNanos / 1_000_000);
    if (hasWorkNow()) {
      selector.selectNow();
    } else {
      Timer next = timers.peek();
      long wait = next == null ? selectMillis
          : Math.max(1, Math.min(selectMillis, (next.at() - System.nanoTime()) / 1_000_000 + 1));
      selector.select(wait);
    }
    runTasks();
    var keys = selector.selectedKeys();
    for (SelectionKey key : keys) {
      if (key.isValid()) {
        onReady(key);
      }
    }
    keys.clear();
    endOfRound();
    long now = System.nanoTime();
    runTimers(now);
    if (now - nextTick >= 0) {
      nextTick = now + tickNanos;
      onTick(now);
    }
  }

  private void runTimers(long now) {
    Timer t;
    while ((t = timers.peek()) != null && now - t.at() >= 0) {
      timers.poll();
      t.task().run();
    }
  }

  private void runTasks() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("{}: I/O task failed", thread.getName(), e);
      }
    }
  }

  /** Stops the loop and waits for its thread (unless called on it). */
  @Override
  public void close() {
    running = false;
    selector.wakeup();
    if (!inLoop()) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
