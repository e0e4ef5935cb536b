package dev.rekko.redis.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.SelectionKey;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The loop survives an exception thrown while serving, but not an Error: that stops it, runs its
 * {@code onStop} (which closes what it serves) and closes its selector, instead of carrying on with a
 * half-done round. Timers run in order on the loop's thread.
 */
class SelectorLoopTest {

  static final class Loop extends SelectorLoop {
    final AtomicInteger ticks = new AtomicInteger();
    final CountDownLatch stopped = new CountDownLatch(1);
    volatile Throwable tickThrows;

    Loop() {
      super("test-loop", TimeUnit.MILLISECONDS.toNanos(10));
      start();
    }

    @Override
    protected void onReady(SelectionKey key) {}

    @Override
    protected void onTick(long nowNanos) {
      ticks.incrementAndGet();
      Throwable t = tickThrows;
      if (t instanceof RuntimeException r) {
        tickThrows = null;
        throw r;
      }
      if (t instanceof Error e) {
        throw e;
      }
    }

    @Override
    protected void onStop() {
      stopped.countDown();
    }
  }

  private static boolean await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  @Test
  void anExceptionIsLoggedAndTheLoopGoesOn() throws Exception {
    try (Loop loop = new Loop()) {
      loop.tickThrows = new IllegalStateException("one bad connection");
      int before = loop.ticks.get();
      assertThat(await(() -> loop.ticks.get() > before + 5)).as("still ticking").isTrue();
      CountDownLatch ran = new CountDownLatch(1);
      loop.execute(ran::countDown);
      assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(loop.stopped.getCount()).isEqualTo(1);
    }
  }

  @Test
  void anErrorStopsTheLoopAndClosesWhatItServes() throws Exception {
    try (Loop loop = new Loop()) {
      loop.tickThrows = new StackOverflowError("deep");
      assertThat(loop.stopped.await(10, TimeUnit.SECONDS)).as("onStop ran").isTrue();
      assertThat(await(() -> !loop.selector().isOpen())).as("selector closed").isTrue();
      int ticks = loop.ticks.get();
      CountDownLatch ran = new CountDownLatch(1);
      loop.execute(ran::countDown);
      assertThat(ran.await(300, TimeUnit.MILLISECONDS)).as("no task runs any more").isFalse();
      assertThat(loop.ticks.get()).isEqualTo(ticks);
    }
  }

  @Test
  void timersRunInOrderOnTheLoop() throws Exception {
    try (Loop loop = new Loop()) {
      List<String> order = new CopyOnWriteArrayList<>();
      CountDownLatch done = new CountDownLatch(3);
      // All three from one task on the loop, so their deadlines are taken microseconds apart (scheduled by
      // three tasks, a stall between them longer than the gap reordered the deadlines themselves); the
      // gaps are wide for the same reason.
      loop.execute(() -> {
        for (int millis : new int[] {400, 0, 200}) {
          loop.schedule(TimeUnit.MILLISECONDS.toNanos(millis), () -> {
            order.add(millis + ":" + loop.inLoop());
            done.countDown();
          });
        }
      });
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(order).containsExactly("0:true", "200:true", "400:true");
    }
  }
}
