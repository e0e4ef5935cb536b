package dev.rekko.node.proxy;

import java.util.ArrayList;
import java.util.List;

/**
 * The groups one session sent writes to, for {@link WaitCommand}. Consecutive writes to one group (the
 * common case) cost a comparison; a new group a search of the few seen so far. Session thread only.
 */
final class WrittenGroups {
  private int[] groups = new int[4];
  private int count;
  private int last = -1;

  void wrote(int group) {
    // Group 0: an offline slot's route, which refuses the write anyway.
    if (group != last && group > 0) {
      add(group);
    }
  }

  private void add(int group) {
    last = group;
    for (int i = 0; i < count; i++) {
      if (groups[i] == group) {
        return;
      }
    }
    if (count == groups.length) {
      groups = java.util.Arrays.copyOf(groups, count * 2);
    }
    groups[count++] = group;
  }

  List<Integer> list() {
    List<Integer> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(groups[i]);
    }
    return out;
  }
}
