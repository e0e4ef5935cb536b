package dev.rekko.redis.migrate;

import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.backend.BackendAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The state of one walk (or of one explicit batch): where each leaving slot goes, the counters, and
 * the cancel flag. {@code found} belongs to the SCAN thread; the move counters change only in the
 * synchronized {@link #completed} and {@link #retried}; the result is built after the SCAN thread and
 * the copier's lanes have been joined. Slots may join
 * while the walk runs ({@link #join}); only those present from its start are covered whole.
 */
final class Walk {
  final AtomicReferenceArray<BackendAddress> targetOf;
  private final boolean[] fromStart;
  final Throttle throttle;
  final MoverListener listener;
  private final AtomicBoolean cancelled;

  final long[] found = new long[SlotHash.SLOTS];
  final long[] moved = new long[SlotHash.SLOTS];
  final long[] gone = new long[SlotHash.SLOTS];
  final AtomicLong scanned = new AtomicLong();
  final AtomicLong foundTotal = new AtomicLong();
  long movedTotal;
  long goneTotal;
  long batches;
  long retries;
  long longestNanos;
  int longestKeys;

  Walk(Map<Integer, BackendAddress> leaving, Throttle throttle, MoverListener listener, AtomicBoolean cancelled) {
    this.targetOf = new AtomicReferenceArray<>(SlotHash.SLOTS);
    this.fromStart = new boolean[SlotHash.SLOTS];
    leaving.forEach((slot, target) -> {
      checkSlot(slot);
      targetOf.set(slot, java.util.Objects.requireNonNull(target, "target of slot " + slot));
      fromStart[slot] = true;
    });
    this.throttle = throttle;
    this.listener = listener;
    this.cancelled = cancelled;
  }

  private static void checkSlot(Integer slot) {
    if (slot == null || slot < 0 || slot >= SlotHash.SLOTS) {
      throw new IllegalArgumentException("slot out of range: " + slot);
    }
  }

  /** Adds a slot from the next SCAN reply on; a slot already in the walk keeps its target. */
  void join(int slot, BackendAddress target) {
    checkSlot(slot);
    targetOf.compareAndSet(slot, null, java.util.Objects.requireNonNull(target, "target of slot " + slot));
  }

  /** Only the cancel flag: an interrupt is reported separately, as an {@link InterruptedException}. */
  boolean cancelled() {
    return cancelled.get();
  }

  /** Throws if the walk was cancelled or the current thread interrupted. */
  void check() throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("walk interrupted");
    }
    if (cancelled.get()) {
      throw new java.util.concurrent.CancellationException("walk cancelled");
    }
  }

  void cancel() {
    cancelled.set(true);
  }

  /** Counts a retried batch; lanes of a copier call it from several threads. */
  synchronized void retried() {
    retries++;
  }

  /** Counts a batch moved (or found gone); lanes of a copier call it from several threads. */
  synchronized void completed(Batch batch, boolean wasMoved, long blockedNanos) {
    long[] counts = wasMoved ? moved : gone;
    for (int i = 0; i < batch.size(); i++) {
      counts[batch.slot(i)]++;
    }
    if (wasMoved) {
      movedTotal += batch.size();
    } else {
      goneTotal += batch.size();
    }
    batches++;
    if (blockedNanos > longestNanos) {
      longestNanos = blockedNanos;
      longestKeys = batch.size();
    }
    listener.onBatch(new MoverListener.BatchReport(batch.target, batch.db, batch.size(), wasMoved,
        Duration.ofNanos(blockedNanos), foundTotal.get(), movedTotal));
  }

  /** Keys moved so far per slot of this walk; read while it runs, so possibly a batch behind. */
  Map<Integer, Long> movedSoFar() {
    Map<Integer, Long> counts = new HashMap<>();
    for (int s = 0; s < SlotHash.SLOTS; s++) {
      if (targetOf.get(s) != null) {
        counts.put(s, moved[s]);
      }
    }
    return counts;
  }

  WalkResult result(Duration elapsed) {
    Map<Integer, WalkResult.SlotCount> slots = new HashMap<>();
    for (int s = 0; s < SlotHash.SLOTS; s++) {
      if (targetOf.get(s) != null) {
        slots.put(s, new WalkResult.SlotCount(found[s], moved[s], gone[s], fromStart[s]));
      }
    }
    return new WalkResult(slots, scanned.get(), foundTotal.get(), movedTotal, goneTotal, batches, retries,
        elapsed, Duration.ofNanos(longestNanos), longestKeys);
  }
}
