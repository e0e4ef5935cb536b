package dev.rekko.node.proxy;

import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The groups that may hold keys, seen from one topology, for the keyspace-wide commands (FLUSHDB,
 * KEYS, SCAN, RANDOMKEY …): every group owning a slot and every migration's target, in group id
 * order. A key lives on its slot's group, or, from a migration's barrier until it finishes, on the
 * source or the target; it moves only from the source to the target, and only after every node's
 * routing table holds the barrier (so this node's topology shows the move before any key makes it).
 */
final class KeyspaceGroups {
  private final Topology topology;
  private final List<Integer> all;
  private final List<Integer> targets;
  private final int movingSlot;

  private KeyspaceGroups(Topology topology) {
    this.topology = topology;
    TreeSet<Integer> owners = new TreeSet<>();
    TreeSet<Integer> moving = new TreeSet<>();
    int firstMoving = -1;
    for (SlotInfo s : topology.slots()) {
      if (s.state() == SlotState.OFFLINE) {
        continue;
      }
      owners.add(s.state() == SlotState.FINISHED ? s.target() : s.group());
      if (inMigration(s)) {
        moving.add(s.target());
        owners.add(s.target());
        if (firstMoving < 0) {
          firstMoving = s.id();
        }
      }
    }
    this.all = List.copyOf(owners);
    this.targets = List.copyOf(moving);
    this.movingSlot = firstMoving;
  }

  /** Null when the table was not built from a topology (a table made by hand in a test). */
  static KeyspaceGroups of(RoutingTable table) {
    return table.topology() == null ? null : new KeyspaceGroups(table.topology());
  }

  /** PREPARING to FINISHED: from the barrier's publication until the target alone serves it. */
  static boolean inMigration(SlotInfo s) {
    return switch (s.state()) {
      case PREPARING, BARRIER, MIGRATING, FINISHED -> s.target() != 0;
      default -> false;
    };
  }

  Topology topology() {
    return topology;
  }

  /** Every group that may hold keys, by id. */
  List<Integer> all() {
    return all;
  }

  /** The targets of the slots in a migration, by id: where keys may arrive meanwhile. */
  List<Integer> targets() {
    return targets;
  }

  /** A slot in a migration (PREPARING to FINISHED), or -1 when none is. */
  int movingSlot() {
    return movingSlot;
  }

  /** A group of {@link #all} whose master is being switched, or 0. */
  int switchingGroup() {
    for (int g : all) {
      if (topology.group(g).map(i -> i.switching()).orElse(false)) {
        return g;
      }
    }
    return 0;
  }

  /** The group's master, or null when it has none (or is unknown). */
  BackendAddress master(int group) {
    return topology.masterOfGroup(group).map(ServerInfo::address).orElse(null);
  }

  /** The masters of {@code groups}, in that order; null when one has no master (see {@link #noMaster}). */
  List<BackendAddress> masters(List<Integer> groups) {
    List<BackendAddress> out = new ArrayList<>(groups.size());
    for (int g : groups) {
      BackendAddress m = master(g);
      if (m == null) {
        return null;
      }
      out.add(m);
    }
    return out;
  }

  /** The first of {@code groups} without a master; 0 when each has one. */
  int noMaster(List<Integer> groups) {
    for (int g : groups) {
      if (master(g) == null) {
        return g;
      }
    }
    return 0;
  }

  /**
   * Whether a slot changed (a step of a migration, an assignment) after epoch {@code since}: then its
   * keys may have moved onto a group already visited. Or a group changed (its master switched, a server
   * came or went): a backend SCAN cursor means nothing on another server, whose table is laid out
   * differently, so a group scanned across its switch may have been scanned only in part.
   */
  boolean changedSince(long since) {
    for (SlotInfo s : topology.slots()) {
      if (s.epoch() > since) {
        return true;
      }
    }
    for (var g : topology.groups().values()) {
      if (g.epoch() > since) {
        return true;
      }
    }
    return false;
  }

  static String noMasterError(int group) {
    return "ERR group " + group + " has no master, try again";
  }
}
