package dev.rekko.node.proxy;

import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
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
  private final Map<Integer, Long> groupEpochs;
  private final Topology topology;

  public RoutingTable(SlotRoute[] routes, long epoch) {
    this(routes, epoch, Map.of());
  }

  public RoutingTable(SlotRoute[] routes, long epoch, Map<Integer, Long> groupEpochs) {
    this(routes, epoch, groupEpochs, null);
  }

  /**
   * @param groupEpochs each group entry's epoch in the topology the routes were built from
   * @param topology    that topology (for the keyspace-wide commands); null for a table built by hand
   */
  public RoutingTable(SlotRoute[] routes, long epoch, Map<Integer, Long> groupEpochs, Topology topology) {
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
    this.groupEpochs = Map.copyOf(groupEpochs);
    this.topology = topology;
  }

  /**
   * The table for a topology: each slot goes to the master of the group serving it now
   * ({@link Topology#masterOf}); a slot without one (offline, or its group has no master) is offline.
   * A slot that any group it involves (its group, or a migration's source or target) is switching its
   * master, or that this node does not know with a server yet, is held, whatever its state: commands wait until a
   * later topology releases the group.
   */
  public static RoutingTable fromTopology(Topology topology) {
    return fromTopology(topology, "");
  }

  /**
   * As {@link #fromTopology(Topology)}; the slots of a group with replica reads also name its replicas,
   * those in {@code datacenter} (this node's, {@code rekko.node.datacenter}) first. Only an {@code ONLINE}
   * slot reads from replicas: never one in a migration or held.
   */
  public static RoutingTable fromTopology(Topology topology, String datacenter) {
    SlotRoute[] routes = new SlotRoute[SlotHash.SLOTS];
    Map<Integer, BackendAddress> masters = new java.util.HashMap<>();
    Map<Integer, ReadReplicas> replicas = new java.util.HashMap<>();
    for (int s = 0; s < routes.length; s++) {
      SlotRoute r = route(topology, topology.slot(s), masters);
      routes[s] = withReplicas(topology, topology.slot(s), r, datacenter, replicas);
    }
    Map<Integer, Long> groupEpochs = new java.util.HashMap<>();
    topology.groups().forEach((id, g) -> groupEpochs.put(id, g.epoch()));
    return new RoutingTable(routes, topology.epoch(), groupEpochs, topology);
  }

  /**
   * A slot's route by its state: served by its group until the barrier; held (commands wait) while the
   * barrier is taken; then served by the target, with keys moved from the source on access while
   * {@code MIGRATING}; by the target alone once {@code FINISHED}.
   */
  private static SlotRoute route(Topology topology, SlotInfo info, Map<Integer, BackendAddress> masters) {
    BackendAddress source = master(topology, info.group(), masters);
    int switching = switching(topology, info);
    boolean held = switching != 0;
    return switch (info.state()) {
      case OFFLINE -> new SlotRoute(info.id(), 0, null, info.epoch(), false, null, 0);
      case ONLINE, PENDING -> new SlotRoute(info.id(), info.group(), source, info.epoch(), held, null, switching);
      case PREPARING, BARRIER -> new SlotRoute(info.id(), info.group(), source, info.epoch(), true, null, switching);
      case MIGRATING -> new SlotRoute(info.id(), info.target(), master(topology, info.target(), masters), info.epoch(),
          held, source, switching);
      case FINISHED -> new SlotRoute(info.id(), info.target(), master(topology, info.target(), masters), info.epoch(),
          held, null, switching);
    };
  }

  private static SlotRoute withReplicas(Topology topology, SlotInfo info, SlotRoute r, String datacenter,
      Map<Integer, ReadReplicas> replicas) {
    if (r.group() == 0 || !topology.group(r.group()).map(g -> g.replicaRead()).orElse(false)) {
      return r;
    }
    ReadReplicas read = info.state() == SlotState.ONLINE && r.direct()
        ? replicas.computeIfAbsent(r.group(), g -> readReplicas(topology, g, datacenter))
        : ReadReplicas.MASTER_ONLY;
    return new SlotRoute(r.slot(), r.group(), r.master(), r.epoch(), r.hold(), r.migrateFrom(), r.switchingGroup(),
        read);
  }

  private static ReadReplicas readReplicas(Topology topology, int group, String datacenter) {
    List<BackendAddress> local = new ArrayList<>();
    List<BackendAddress> other = new ArrayList<>();
    for (ServerInfo s : topology.group(group).map(g -> g.servers()).orElse(List.of())) {
      if (!s.isMaster()) {
        (!datacenter.isEmpty() && datacenter.equals(s.datacenter()) ? local : other).add(s.address());
      }
    }
    return new ReadReplicas(local, other);
  }

  /**
   * The group, among those the slot's commands may touch in its state, whose master is being switched;
   * 0 when none. Before the barrier only the group serves; at the barrier and while migrating both the
   * source (keys are still moved off it) and the target; once finished, the target.
   */
  private static int switching(Topology topology, SlotInfo info) {
    return switch (info.state()) {
      case OFFLINE -> 0;
      case ONLINE, PENDING -> switchingOrZero(topology, info.group());
      case PREPARING, BARRIER, MIGRATING -> {
        int g = switchingOrZero(topology, info.group());
        yield g != 0 ? g : switchingOrZero(topology, info.target());
      }
      case FINISHED -> switchingOrZero(topology, info.target());
    };
  }

  /**
   * A group this node does not know yet, or knows without any server, is held as a switching one: the
   * groups and the slots are separate Distributed Data keys, so a slot assigned to a new group can
   * arrive before the group, or before the group's first server does (a group that owns slots can lose
   * neither). Held, its commands wait a moment for the group instead of failing with "slot is not ready".
   */
  private static int switchingOrZero(Topology topology, int group) {
    return group != 0 && (notLearned(topology, group) || topology.group(group).get().switching()) ? group : 0;
  }

  /** Whether this node has not received {@code group}, or has it without any server yet. */
  static boolean notLearned(Topology topology, int group) {
    return topology.group(group).map(g -> g.servers().isEmpty()).orElse(true);
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

  /** The group entry's epoch in the topology this table was built from; -1 for a group it does not know. */
  public long groupEpoch(int group) {
    return groupEpochs.getOrDefault(group, -1L);
  }

  /** The topology this table was built from; null for a table built from routes alone (tests). */
  public Topology topology() {
    return topology;
  }

  public List<SlotRoute> routes() {
    return new ArrayList<>(List.of(routes));
  }
}
