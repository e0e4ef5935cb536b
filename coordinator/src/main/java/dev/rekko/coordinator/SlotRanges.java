package dev.rekko.coordinator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/** Slot numbers written as runs ({@code 0-511, 600, 700-701}), so that messages about many slots stay short. */
final class SlotRanges {
  private SlotRanges() {}

  static String format(Collection<Integer> slots) {
    List<String> runs = new ArrayList<>();
    Integer start = null;
    Integer prev = null;
    for (int s : new TreeSet<>(slots)) {
      if (prev != null && s == prev + 1) {
        prev = s;
        continue;
      }
      if (start != null) {
        runs.add(run(start, prev));
      }
      start = s;
      prev = s;
    }
    if (start != null) {
      runs.add(run(start, prev));
    }
    return String.join(", ", runs);
  }

  private static String run(int from, int to) {
    return from == to ? Integer.toString(from) : from + "-" + to;
  }
}
