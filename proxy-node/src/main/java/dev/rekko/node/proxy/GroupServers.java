package dev.rekko.node.proxy;

import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.Topology;
import java.util.ArrayList;
import java.util.List;

/**
 * The servers of every group of a topology, for the commands that act on servers rather than keys
 * (CONFIG, SCRIPT, FUNCTION): by group id, each group's master first. Every group counts, not only those
 * owning slots: a group without slots gets them later, and its servers must then already have the
 * scripts and settings. A group with no server at all holds nothing and is skipped.
 */
final class GroupServers {
  /** One server: its group, address and whether it is the group's master. */
  record Target(int group, BackendAddress server, boolean master) {}

  private GroupServers() {}

  /** The first group (by id) that has servers but no master; 0 when there is none. */
  static int noMaster(Topology t) {
    for (GroupInfo g : t.groups().values()) {
      if (!g.servers().isEmpty() && g.master().isEmpty()) {
        return g.id();
      }
    }
    return 0;
  }

  /** Every group's master. */
  static List<Target> masters(Topology t) {
    return collect(t, false);
  }

  /** Every server: each group's master, then its replicas. */
  static List<Target> all(Topology t) {
    return collect(t, true);
  }

  /** The master of the lowest group id that has one; null when no group has a master. */
  static Target first(Topology t) {
    for (GroupInfo g : t.groups().values()) {
      if (g.master().isPresent()) {
        return new Target(g.id(), g.master().get().address(), true);
      }
    }
    return null;
  }

  private static List<Target> collect(Topology t, boolean replicas) {
    List<Target> out = new ArrayList<>();
    for (GroupInfo g : t.groups().values()) {
      g.master().ifPresent(m -> out.add(new Target(g.id(), m.address(), true)));
      if (replicas) {
        for (ServerInfo s : g.servers()) {
          if (!s.isMaster()) {
            out.add(new Target(g.id(), s.address(), false));
          }
        }
      }
    }
    return out;
  }
}
