package dev.rekko.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * 1024 slot routes as a few lines: consecutive slots with the same state, group and target form one
 * run, {@code 0-511 ONLINE group 1 epoch 1}. Epochs do not split runs (after a migration every slot has
 * its own), they show as a range instead.
 */
final class SlotRuns {
  private SlotRuns() {}

  private record Run(int from, int to, String state, int group, int target, long minEpoch, long maxEpoch) {
    boolean continuedBy(JsonNode slot) {
      return slot.path("id").asInt() == to + 1 && state.equals(stateOf(slot))
          && group == slot.path("group").asInt() && target == slot.path("target").asInt();
    }

    Run extend(JsonNode slot) {
      long epoch = slot.path("epoch").asLong();
      return new Run(from, to + 1, state, group, target, Math.min(minEpoch, epoch), Math.max(maxEpoch, epoch));
    }

    Object[] cells() {
      String owner = group == 0 ? "" : "group " + group;
      if (target != 0) {
        owner = (group == 0 ? "" : owner + " ") + "-> " + target;
      }
      String epochs = minEpoch == maxEpoch ? "epoch " + minEpoch : "epochs " + minEpoch + "-" + maxEpoch;
      return new Object[] {range(from, to), state, owner, epochs};
    }
  }

  /** Prints the runs of {@code slots} (an array of slot objects, in id order), or a note when empty. */
  static void print(JsonNode slots, PrintWriter out) {
    Table table = Table.plain();
    for (Run run : runs(slots)) {
      table.row(run.cells());
    }
    if (table.isEmpty()) {
      out.println("(no slots)");
    } else {
      table.print(out);
    }
  }

  private static List<Run> runs(JsonNode slots) {
    List<Run> runs = new ArrayList<>();
    Run current = null;
    for (JsonNode slot : slots) {
      if (current != null && current.continuedBy(slot)) {
        current = current.extend(slot);
        continue;
      }
      if (current != null) {
        runs.add(current);
      }
      int id = slot.path("id").asInt();
      long epoch = slot.path("epoch").asLong();
      current = new Run(id, id, stateOf(slot), slot.path("group").asInt(), slot.path("target").asInt(), epoch, epoch);
    }
    if (current != null) {
      runs.add(current);
    }
    return runs;
  }

  private static String stateOf(JsonNode slot) {
    return slot.path("state").asText("?");
  }

  /** Sorted slot numbers as ranges: {@code 0-99, 120, 130-131}. */
  static String ranges(List<Integer> sorted) {
    StringJoiner joined = new StringJoiner(", ");
    int i = 0;
    while (i < sorted.size()) {
      int j = i;
      while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
        j++;
      }
      joined.add(range(sorted.get(i), sorted.get(j)));
      i = j + 1;
    }
    return joined.toString();
  }

  private static String range(int from, int to) {
    return from == to ? Integer.toString(from) : from + "-" + to;
  }
}
