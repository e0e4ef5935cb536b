package dev.rekko.redis.migrate;

/**
 * Time as the throttle and the retry backoff see it. Tests pass a fake one to check that pauses are
 * asked for without waiting for them, and without asserting on wall-clock speed.
 */
public interface MoverClock {
  MoverClock SYSTEM = new MoverClock() {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void sleepNanos(long nanos) throws InterruptedException {
      if (nanos > 0) {
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      }
    }
  };

  long nanoTime();

  void sleepNanos(long nanos) throws InterruptedException;
}
