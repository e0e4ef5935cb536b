package dev.rekko.redis.migrate;

import dev.rekko.redis.backend.BackendAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys of one source database going to one target in one MIGRATE, with each key's slot (for the
 * per-slot counts) and, when known, the sum of their sizes (for the timeout).
 */
final class Batch {
  /** Marks the end of a walk's batches in the queue. */
  static final Batch END = new Batch(null, -1);

  final BackendAddress target;
  final int db;
  final List<byte[]> keys = new ArrayList<>();
  private int[] slots = new int[16];
  /** Sum of the keys' sizes, or -1 when at least one is unknown. */
  long bytes;
  /** MIGRATE tries made so far. */
  int attempts;
  /** Sizes were asked for after a failed try; a batch is split at most once. */
  boolean probed;

  Batch(BackendAddress target, int db) {
    this.target = target;
    this.db = db;
  }

  void add(byte[] key, int slot, long size) {
    if (keys.size() == slots.length) {
      slots = java.util.Arrays.copyOf(slots, slots.length * 2);
    }
    slots[keys.size()] = slot;
    keys.add(key);
    if (bytes >= 0) {
      bytes = size < 0 ? -1 : bytes + size;
    }
  }

  /** Adds {@code other}'s keys; the size becomes unknown if either size is. */
  void addAll(Batch other) {
    for (int i = 0; i < other.size(); i++) {
      add(other.keys.get(i), other.slots[i], 0);
    }
    bytes = bytes < 0 || other.bytes < 0 ? -1 : bytes + other.bytes;
  }

  /**
   * This batch's keys in pieces of at most {@code most} keys, in order. A piece's size is this
   * batch's (an upper bound, for the timeout), as the keys' own sizes are not kept.
   */
  List<Batch> cut(int most) {
    List<Batch> pieces = new ArrayList<>((keys.size() + most - 1) / most);
    for (int from = 0; from < keys.size(); from += most) {
      Batch piece = new Batch(target, db);
      int to = Math.min(keys.size(), from + most);
      for (int i = from; i < to; i++) {
        piece.add(keys.get(i), slots[i], 0);
      }
      piece.bytes = bytes;
      piece.attempts = attempts;
      piece.probed = probed;
      pieces.add(piece);
    }
    return pieces;
  }

  int size() {
    return keys.size();
  }

  int slot(int i) {
    return slots[i];
  }

  /** The MIGRATE command; the source's connection must have this batch's database selected. */
  byte[][] migrateCommand(Credentials credentials, long timeoutMillis) {
    return MigrateKeys.moving(target, db, timeoutMillis, credentials).argv(keys);
  }

  @Override
  public String toString() {
    return keys.size() + " keys of db " + db + " to " + target;
  }
}
