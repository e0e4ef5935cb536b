package dev.rekko.redis.migrate;

import dev.rekko.protocol.resp.RespValue;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Tries a failed batch again, alone, after a growing pause, until it succeeds or has used
 * {@code maxAttempts} tries; then the walk fails with a message naming source, target and database.
 * Repeating is safe: keys that made it are no longer on the source, and a key the target received
 * although the source did not hear so (a timeout) is answered {@link MigrateReplies#BUSY_KEY}, after
 * which the source's copies of the keys the target holds are deleted ({@link Migrator#clearStale}) and
 * the rest tried again.
 *
 * <p>Before its first retry a batch is measured ({@code MEMORY USAGE} of each key): a timeout is the
 * usual sign of a big value, so keys of at least {@code bigKeyBytes} then go on their own, each with
 * a timeout scaled to its size, and the rest goes with a timeout for its total size.
 */
final class BatchRetry {
  private final Migrator migrator;

  BatchRetry(Migrator migrator) {
    this.migrator = migrator;
  }

  void run(Batch failed, String error, Walk walk) throws MoveException, InterruptedException {
    Deque<Batch> todo = new ArrayDeque<>();
    todo.add(failed);
    while (!todo.isEmpty()) {
      retry(todo.poll(), error, walk, todo);
    }
  }

  private void retry(Batch b, String firstError, Walk walk, Deque<Batch> todo)
      throws MoveException, InterruptedException {
    ServerMoverSettings options = migrator.options();
    String error = firstError;
    while (true) {
      if (b.attempts >= options.maxAttempts()) {
        throw migrator.failure(b, "gave up after " + b.attempts + " tries, last error: " + error, null);
      }
      b.attempts++;
      walk.retried();
      walk.listener.onRetry(b.target, b.db, b.size(), b.attempts, error);
      pause(options.backoffNanos(b.attempts), walk);
      try {
        if (!b.probed) {
          List<Batch> parts = split(b, migrator.sizes(b, walk), options.bigKeyBytes());
          b = parts.get(0);
          todo.addAll(parts.subList(1, parts.size()));
        }
        long start = System.nanoTime();
        RespValue reply = migrator.migrateAlone(b, walk);
        long blocked = System.nanoTime() - start;
        switch (MigrateReplies.classify(reply)) {
          case MOVED -> {
            walk.completed(b, true, blocked);
            return;
          }
          case NO_KEY -> {
            walk.completed(b, false, blocked);
            return;
          }
          case BUSY_KEY -> {
            error = MigrateReplies.describe(reply);
            b = migrator.clearStale(b, blocked, walk);
            if (b == null) {
              return;
            }
          }
          case RETRY -> error = MigrateReplies.describe(reply);
          case FAIL -> throw migrator.failure(b, MigrateReplies.describe(reply), null);
        }
      } catch (IOException e) {
        migrator.dropConnection();
        error = e.getMessage();
      }
    }
  }

  /** Big keys into batches of their own, the rest together; every part keeps the tries made so far. */
  static List<Batch> split(Batch b, long[] sizes, long bigKeyBytes) {
    List<Batch> parts = new ArrayList<>();
    Batch rest = new Batch(b.target, b.db);
    for (int i = 0; i < b.size(); i++) {
      if (sizes[i] >= bigKeyBytes && b.size() > 1) {
        Batch alone = new Batch(b.target, b.db);
        alone.add(b.keys.get(i), b.slot(i), sizes[i]);
        parts.add(alone);
      } else {
        rest.add(b.keys.get(i), b.slot(i), sizes[i]);
      }
    }
    if (rest.size() > 0) {
      parts.add(0, rest);
    }
    for (Batch p : parts) {
      p.attempts = b.attempts;
      p.probed = true;
    }
    return parts;
  }

  private void pause(long nanos, Walk walk) throws InterruptedException {
    MoverClock clock = migrator.clock();
    long end = clock.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = end - clock.nanoTime()) {
      walk.check();
      clock.sleepNanos(Math.min(left, 100_000_000L));
    }
  }
}
