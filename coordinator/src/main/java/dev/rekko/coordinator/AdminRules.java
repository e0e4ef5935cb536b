package dev.rekko.coordinator;

import dev.rekko.protocol.SlotHash;
import dev.rekko.coordinator.Coordinator.Failed;
import dev.rekko.redis.backend.BackendAddress;
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
import java.util.function.BiFunction;

/**
 * The checks every admin operation passes against a topology before (and again after) anything changes.
 * Pure; each returns the refusal, or empty when the operation may go ahead. Statuses as in
 * {@link Failed}: 400 invalid input, 404 unknown group or server, 409 conflict with the topology.
 */
final class AdminRules {
  private AdminRules() {}

  static Optional<Failed> createGroup(Topology t, int id) {
    if (id <= 0) {
      return fail(400, "group id must be positive, got " + id);
    }
    if (t.groups().containsKey(id)) {
      return fail(409, "group " + id + " already exists");
    }
    return Optional.empty();
  }

  static Optional<Failed> removeGroup(Topology t, int id) {
    if (!t.groups().containsKey(id)) {
      return noGroup(id);
    }
    List<Integer> slots = slotsOf(t, id);
    if (!slots.isEmpty()) {
      return fail(409, "group " + id + " owns (or is the migration target of) slots " + SlotRanges.format(slots)
          + "; move them to another group first");
    }
    return Optional.empty();
  }

  static Optional<Failed> addServer(Topology t, int group, String addr) {
    Optional<Failed> bad = address(addr);
    if (bad.isPresent()) {
      return bad;
    }
    Optional<GroupInfo> g = t.group(group);
    if (g.isEmpty()) {
      return noGroup(group);
    }
    for (GroupInfo other : t.groups().values()) {
      if (other.server(addr).isPresent()) {
        return fail(409, "server " + addr + " is already in group " + other.id());
      }
    }
    if (g.get().switching()) {
      return notSwitching(g.get());
    }
    if (!g.get().servers().isEmpty() && g.get().master().isEmpty()) {
      return fail(409, "group " + group + " has servers but no master; promote one of them first");
    }
    return Optional.empty();
  }

  static Optional<Failed> removeServer(Topology t, int group, String addr) {
    return withServer(t, group, addr, (g, server) -> {
      if (g.switching()) {
        return notSwitching(g);
      }
      if (!server.isMaster()) {
        return Optional.empty();
      }
      List<String> others = g.servers().stream().map(ServerInfo::addr).filter(a -> !a.equals(addr)).toList();
      if (!others.isEmpty()) {
        return fail(409, addr + " is the master of group " + group + ", which still has replicas " + others
            + "; promote one of them (or remove them) first");
      }
      List<Integer> slots = slotsOf(t, group);
      if (!slots.isEmpty()) {
        return fail(409, addr + " is the master of group " + group + ", which owns (or is the migration "
            + "target of) slots " + SlotRanges.format(slots) + "; move them to another group first");
      }
      return Optional.empty();
    });
  }

  /**
   * A promote may go ahead (to the HA actor, which chooses between switchover and failover) unless the
   * server is the master already, the group is switching, or it migrates slots: holding a group whose
   * slots are at a migration's barrier, with keys moving between its master and another group's, is not
   * made safe yet.
   */
  static Optional<Failed> promote(Topology t, int group, String addr) {
    return withServer(t, group, addr, (g, server) -> {
      if (server.isMaster()) {
        return fail(409, addr + " is already the master of group " + group);
      }
      Optional<Failed> switching = notSwitching(g);
      if (switching.isPresent()) {
        return switching;
      }
      List<Integer> migrating = new ArrayList<>();
      for (SlotInfo s : t.slots()) {
        boolean moving = s.state() != SlotState.ONLINE && s.state() != SlotState.OFFLINE;
        if (moving && (s.group() == group || s.target() == group)) {
          migrating.add(s.id());
        }
      }
      if (!migrating.isEmpty()) {
        return fail(409, "group " + group + " is the source or target of slot migrations (slots "
            + SlotRanges.format(migrating) + ", pending or under way); its master cannot be switched safely "
            + "during a migration. Wait for them to finish (GET /api/migrations) or cancel the pending ones, "
            + "then promote again. A master that dies meanwhile is still failed over automatically");
      }
      return Optional.empty();
    });
  }

  /** The HA actor's write: the group must still be at the epoch its change was computed from. */
  static Optional<Failed> groupAt(Topology t, int group, long expectedEpoch) {
    Optional<GroupInfo> g = t.group(group);
    if (g.isEmpty()) {
      return noGroup(group);
    }
    if (g.get().epoch() != expectedEpoch) {
      return fail(409, "group " + group + " changed meanwhile (epoch " + g.get().epoch() + ", expected "
          + expectedEpoch + ")");
    }
    return Optional.empty();
  }

  /** Servers are neither added nor removed while the group's master is being switched. */
  static Optional<Failed> notSwitching(GroupInfo g) {
    return g.switching() ? fail(409, "the master of group " + g.id() + " is being switched (failover or "
        + "switchover); retry in a few seconds") : Optional.empty();
  }

  static Optional<Failed> assignSlots(Topology t, int from, int to, int group) {
    if (from < 0 || to >= SlotHash.SLOTS || from > to) {
      return fail(400, "slot range must satisfy 0 <= from <= to <= " + (SlotHash.SLOTS - 1) + ", got "
          + from + ".." + to);
    }
    Optional<GroupInfo> g = t.group(group);
    if (g.isEmpty()) {
      return noGroup(group);
    }
    if (g.get().master().isEmpty()) {
      return fail(409, "group " + group + " has no master; add a server first");
    }
    Map<String, List<Integer>> conflicts = new LinkedHashMap<>();
    for (int s = from; s <= to; s++) {
      SlotInfo slot = t.slot(s);
      boolean ok = slot.state() == SlotState.OFFLINE
          || slot.state() == SlotState.ONLINE && slot.group() == group;
      if (!ok) {
        String why = slot.state() == SlotState.ONLINE ? "online at group " + slot.group()
            : slot.state().name().toLowerCase() + " from group " + slot.group() + " to group " + slot.target();
        conflicts.computeIfAbsent(why, k -> new ArrayList<>()).add(s);
      }
    }
    if (!conflicts.isEmpty()) {
      List<String> parts = new ArrayList<>();
      conflicts.forEach((why, slots) -> parts.add(SlotRanges.format(slots) + " (" + why + ")"));
      return fail(409, "only offline slots (or slots already online at group " + group + ") can be assigned; "
          + "not: " + String.join(", ", parts) + ". Nothing was changed; use migrate to move online slots");
    }
    return Optional.empty();
  }

  static Optional<Failed> groupExists(Topology t, int group) {
    return t.groups().containsKey(group) ? Optional.empty() : noGroup(group);
  }

  /** Slots the group owns or that migrate to it: what keeps a group (or its last master) in place. */
  static List<Integer> slotsOf(Topology t, int group) {
    List<Integer> slots = new ArrayList<>();
    for (SlotInfo s : t.slots()) {
      if (s.group() == group || s.target() == group) {
        slots.add(s.id());
      }
    }
    return slots;
  }

  /** Refuses an unknown group or server (404); otherwise {@code check} decides, given both. */
  private static Optional<Failed> withServer(Topology t, int group, String addr,
      BiFunction<GroupInfo, ServerInfo, Optional<Failed>> check) {
    Optional<GroupInfo> g = t.group(group);
    if (g.isEmpty()) {
      return noGroup(group);
    }
    Optional<ServerInfo> server = g.get().server(addr == null ? "" : addr);
    if (server.isEmpty()) {
      return fail(404, "group " + group + " has no server " + addr);
    }
    return check.apply(g.get(), server.get());
  }

  private static Optional<Failed> address(String addr) {
    if (addr == null || addr.isBlank()) {
      return fail(400, "server address is missing");
    }
    if (addr.chars().anyMatch(Character::isWhitespace)) {
      return fail(400, "server address must be host:port, got '" + addr + "'");
    }
    try {
      BackendAddress.parse(addr);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return fail(400, e.getMessage());
    }
  }

  private static Optional<Failed> noGroup(int id) {
    return fail(404, "no group " + id);
  }

  private static Optional<Failed> fail(int status, String message) {
    return Optional.of(new Failed(status, message));
  }
}
