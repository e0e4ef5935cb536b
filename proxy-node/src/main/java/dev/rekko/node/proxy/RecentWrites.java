package dev.rekko.node.proxy;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Read-your-writes with replica reads: the groups one session wrote to lately, and when. A group written
 * within {@link #WINDOW_NANOS} is read from its master, since its replicas may not have the write yet.
 * Session thread only; a few groups at most, so a scan of two small arrays, and no allocation once sized.
 */
final class RecentWrites {
  /** How long after a write to a group the session still reads from its master. */
  static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

  private int[] groups = new int[4];
  private long[] at = new long[4];
  private int size;

  void wrote(int group, long now) {
    int free = -1;
    for (int i = 0; i < size; i++) {
      if (groups[i] == group) {
        at[i] = now;
        return;
      }
      if (free < 0 && now - at[i] > WINDOW_NANOS) {
        free = i;
      }
    }
    if (free < 0) {
      if (size == groups.length) {
        groups = Arrays.copyOf(groups, size * 2);
        at = Arrays.copyOf(at, size * 2);
      }
      free = size++;
    }
    groups[free] = group;
    at[free] = now;
  }

  boolean recently(int group, long now) {
    for (int i = 0; i < size; i++) {
      if (groups[i] == group) {
        return now - at[i] <= WINDOW_NANOS;
      }
    }
    return false;
  }
}
