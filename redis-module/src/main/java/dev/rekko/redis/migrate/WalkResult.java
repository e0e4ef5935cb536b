package dev.rekko.redis.migrate;

import java.time.Duration;
import java.util.Map;

/**
 * What one walk of a source did.
 *
 * <p>A slot leaving this source is done when a walk that <em>began after the slot's barrier</em> and
 * had the slot from its start has completed: after the barrier nobody writes the slot's keys to the
 * source any more (the nodes only move them away), SCAN returns every key that exists for the whole
 * walk, and a walk completes only when MIGRATE has answered for every key it found, so none is left.
 * A slot that joined a running walk was missed wherever SCAN had already been, and needs another
 * walk. {@code moved} and {@code gone} are counted per MIGRATE reply, which says only "moved
 * some" ({@code OK}) or "none of them was there" ({@code NOKEY}): a key deleted between SCAN and an
 * {@code OK} MIGRATE counts as moved. SCAN may return a key twice, so counts can be slightly high.
 *
 * @param slots every slot the walk was asked to move, with its counts (zeros included)
 * @param keysScanned keys SCAN returned, of every slot
 * @param keysFound keys SCAN returned whose slot was leaving
 * @param keysMoved keys in batches that MIGRATE answered with OK
 * @param keysGone keys in batches that MIGRATE answered with NOKEY
 * @param batches MIGRATE commands that completed
 * @param retries MIGRATE tries repeated after an error
 * @param elapsed the walk's wall time
 * @param longestMigrate the longest a single MIGRATE kept the source busy, as seen from the mover
 *     (its reply time minus the later of its send time and the previous reply; an upper bound that
 *     includes one round trip)
 * @param longestMigrateKeys keys in that MIGRATE
 */
public record WalkResult(
    Map<Integer, SlotCount> slots,
    long keysScanned,
    long keysFound,
    long keysMoved,
    long keysGone,
    long batches,
    long retries,
    Duration elapsed,
    Duration longestMigrate,
    int longestMigrateKeys) {

  public WalkResult {
    slots = Map.copyOf(slots);
  }

  /**
   * Per slot: keys of it the walk found, how MIGRATE answered for them, and whether the slot was in the
   * walk from its start (false: it joined while the walk ran).
   */
  public record SlotCount(long found, long moved, long gone, boolean fromStart) {}

  /**
   * True when this completed walk had {@code slot} from its start, so that it moved every key of it
   * that was on the source (see the class comment for when that counts).
   */
  public boolean nothingLeft(int slot) {
    SlotCount c = slots.get(slot);
    if (c == null) {
      throw new IllegalArgumentException("slot " + slot + " was not part of this walk");
    }
    return c.fromStart();
  }

  /** Keys moved per second of the walk's wall time. */
  public double keysPerSecond() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds <= 0 ? 0 : keysMoved / seconds;
  }
}
