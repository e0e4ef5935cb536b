package dev.rekko.node.proxy;

import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.Topology;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node's routing table: an immutable array of 1024 slot routes, read by the hot path without
 * locks and replaced as a whole when the topology changes.
 */
public final class RoutingTable {
  private final SlotRoute[] routes;
  private final List<BackendAddress> masters;
  private final long epoch;

  public RoutingTable(SlotRoute[] routes, long epoch) {
    if (routes.length != SlotHash.SLOTS) {
      throw new IllegalArgumentException("a routing table has " + SlotHash.SLOTS + " slots, got " + routes.length);
    }
    this.routes = routes.clone();
    this.epoch = epoch;
    Set<BackendAddress> distinct = new LinkedHashSet<>();
    for (SlotRoute r : routes) {
      if (r.online()) {
        distinct.add(r.master());
      }
      // Keys of a migrating slot are on both groups until the move is done.
      if (r.migrateFrom() != null) {
        distinct.add(r.migrateFrom());
      }
    }
    this.masters = List.copyOf(distinct);
  }

  /**
   * The table for a topology: each slot goes to the master of the group serving it now
   * ({@link Topology#masterOf}); a slot without one (offline, or its group has no master) is offline.
   */
  public static RoutingTable fromTopology(Topology topology) {
    SlotRoute[] routes = new SlotRoute[SlotHash.SLOTS];
    Map<Integer, BackendAddress> masters = new java.util.HashMap<>();
    for (int s = 0; s < routes.length; s++) {
      routes[s] = route(topology, topology.slot(s), masters);
    }
    return new RoutingTable(routes, topology.epoch());
  }

  /**
   * A slot's route by its state: served by its group until the barrier; held (commands wait) while the
   * barrier is taken; then served by the target, with keys moved from the source on access while
   * {@code MIGRATING}; by the target alone once {@code FINISHED}.
   */
  private static SlotRoute route(Topology topology, SlotInfo info, Map<Integer, BackendAddress> masters) {
    BackendAddress source = master(topology, info.group(), masters);
    return switch (info.state()) {
      case OFFLINE -> new SlotRoute(info.id(), 0, null, info.epoch(), false, null);
      case ONLINE, PENDING -> new SlotRoute(info.id(), info.group(), source, info.epoch(), false, null);
      case PREPARING, BARRIER -> new SlotRoute(info.id(), info.group(), source, info.epoch(), true, null);
      case MIGRATING -> new SlotRoute(info.id(), info.target(), master(topology, info.target(), masters), info.epoch(),
          false, source);
      case FINISHED -> new SlotRoute(info.id(), info.target(), master(topology, info.target(), masters), info.epoch(),
          false, null);
    };
  }

  /** One address object per group, so the hot path's same-server check is mostly a reference compare. */
  private static BackendAddress master(Topology topology, int group, Map<Integer, BackendAddress> masters) {
    return group == 0 ? null : masters.computeIfAbsent(group, g ->
        topology.masterOfGroup(g).map(ServerInfo::address).orElse(null));
  }

  public SlotRoute route(int slot) {
    return routes[slot];
  }

  /** Each distinct master that holds keys of at least one slot: where DBSIZE and INFO fan out to. */
  public List<BackendAddress> masters() {
    return masters;
  }

  public long epoch() {
    return epoch;
  }

  public List<SlotRoute> routes() {
    return new ArrayList<>(List.of(routes));
  }
}
