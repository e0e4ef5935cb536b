package dev.rekko.coordinator;

import dev.rekko.protocol.SlotHash;
import dev.rekko.coordinator.Coordinator.Failed;
import dev.rekko.redis.migrate.DumpCompatibility;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.Topology;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The checks of a migration request against the topology: nothing is asked of a slot actor unless all pass. */
final class MigrationRules {
  private MigrationRules() {}

  /** The slots to migrate, or why not: each is moved by {@code moves} (slot → target group). */
  record Checked(Map<Integer, Integer> moves, Optional<Failed> failure) {
    static Checked fail(int status, String message) {
      return new Checked(Map.of(), Optional.of(new Failed(status, message)));
    }
  }

  static Checked range(Topology t, int from, int to, int group) {
    if (from < 0 || to >= SlotHash.SLOTS || from > to) {
      return Checked.fail(400, "slot range must satisfy 0 <= from <= to <= " + (SlotHash.SLOTS - 1)
          + ", got " + from + ".." + to);
    }
    Map<Integer, Integer> moves = new LinkedHashMap<>();
    for (int s = from; s <= to; s++) {
      moves.put(s, group);
    }
    return check(t, moves);
  }

  static Checked count(Topology t, int count, int fromGroup, int group) {
    if (count <= 0) {
      return Checked.fail(400, "count must be positive, got " + count);
    }
    if (t.group(fromGroup).isEmpty()) {
      return Checked.fail(404, "no group " + fromGroup);
    }
    List<Integer> owned = new ArrayList<>();
    for (SlotInfo s : t.slots()) {
      if (s.state() == SlotState.ONLINE && s.group() == fromGroup) {
        owned.add(s.id());
      }
    }
    if (owned.size() < count) {
      return Checked.fail(409, "group " + fromGroup + " has " + owned.size() + " online slots, not " + count);
    }
    Map<Integer, Integer> moves = new LinkedHashMap<>();
    for (int slot : owned.subList(owned.size() - count, owned.size())) {
      moves.put(slot, group);
    }
    return check(t, moves);
  }

  /**
   * Every target exists with a master; every slot is online at another group or already on its way to
   * that target; no source is a newer Redis than its target.
   */
  static Checked check(Topology t, Map<Integer, Integer> moves) {
    Map<String, List<Integer>> conflicts = new LinkedHashMap<>();
    for (var move : moves.entrySet()) {
      int slotId = move.getKey();
      int target = move.getValue();
      Optional<GroupInfo> g = t.group(target);
      if (g.isEmpty()) {
        return Checked.fail(404, "no group " + target);
      }
      Optional<ServerInfo> targetMaster = g.get().master();
      if (targetMaster.isEmpty()) {
        return Checked.fail(409, "group " + target + " has no master; add a server first");
      }
      SlotInfo slot = t.slot(slotId);
      String why = null;
      if (slot.state() == SlotState.OFFLINE) {
        why = "offline: assign it instead";
      } else if (slot.state() != SlotState.ONLINE && slot.target() != target) {
        why = slot.state().name().toLowerCase() + " to group " + slot.target();
      } else if (slot.state() == SlotState.ONLINE && slot.group() != target) {
        Optional<ServerInfo> source = t.masterOfGroup(slot.group());
        if (source.isEmpty()) {
          why = "its group " + slot.group() + " has no master";
        } else {
          String from = source.get().redisVersion();
          String to = targetMaster.get().redisVersion();
          Optional<String> dump = from.isBlank() || to.isBlank() ? Optional.empty()
              : DumpCompatibility.reason(from, to);
          if (dump.isPresent()) {
            return Checked.fail(409, "cannot migrate slot " + slotId + " from group " + slot.group() + " to group "
                + target + ": " + dump.get());
          }
        }
      }
      if (why != null) {
        conflicts.computeIfAbsent(why, k -> new ArrayList<>()).add(slotId);
      }
    }
    if (!conflicts.isEmpty()) {
      List<String> parts = new ArrayList<>();
      conflicts.forEach((why, slots) -> parts.add(SlotRanges.format(slots) + " (" + why + ")"));
      return Checked.fail(409, "these slots cannot migrate: " + String.join(", ", parts) + ". Nothing was changed");
    }
    return new Checked(moves, Optional.empty());
  }
}
