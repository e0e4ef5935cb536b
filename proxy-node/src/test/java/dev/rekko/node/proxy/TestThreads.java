package dev.rekko.node.proxy;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** Work a test runs beside itself: a client that blocks, a second writer. */
final class TestThreads {
  private TestThreads() {
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  /**
   * Runs {@code task} on a thread of its own. Not the common pool: on a 2-core machine it has one
   * thread, and a blocked socket read there would starve the writer a test forked next to it.
   */
  static CompletableFuture<Void> fork(ThrowingRunnable task) {
    return supply(() -> {
      task.run();
      return null;
    });
  }

  /** Like {@link #fork}, with a result. */
  static <T> CompletableFuture<T> supply(Callable<T> task) {
    CompletableFuture<T> done = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        done.complete(task.call());
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    }, "test-fork");
    t.setDaemon(true);
    t.start();
    return done;
  }
}
