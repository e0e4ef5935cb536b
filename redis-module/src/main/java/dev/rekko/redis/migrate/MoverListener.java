package dev.rekko.redis.migrate;

import dev.rekko.redis.backend.BackendAddress;
import java.time.Duration;

/**
 * Progress of a mover, called on the thread running the walk (or {@code moveKeys}): keep it quick and
 * never let it throw — a listener's exception fails the walk like any other bug would.
 */
public interface MoverListener {
  MoverListener NONE = new MoverListener() {};

  /** One MIGRATE completed. */
  default void onBatch(BatchReport report) {}

  /** A MIGRATE failed in a way worth another try; {@code attempt} is the try about to be made. */
  default void onRetry(BackendAddress target, int db, int keys, int attempt, String error) {}

  /** The walk ended normally (not on failure or cancellation). */
  default void onWalkDone(WalkResult result) {}

  /**
   * @param moved true for MIGRATE's {@code OK}, false for {@code NOKEY}
   * @param blocked how long this MIGRATE kept the source busy, as seen from the mover
   * @param walkKeysFound leaving keys the walk's SCAN has found so far
   * @param walkKeysMoved keys moved so far in this walk
   */
  record BatchReport(BackendAddress target, int db, int keys, boolean moved, Duration blocked,
      long walkKeysFound, long walkKeysMoved) {}
}
