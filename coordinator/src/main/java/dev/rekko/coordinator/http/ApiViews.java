package dev.rekko.coordinator.http;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.rekko.coordinator.Coordinator.QuorumHealth;
import dev.rekko.topology.FailoverInfo;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.NodeInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.ServerRole;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.Topology;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the API shows of the topology: the replicated records plus what is not replicated state, a
 * server's health (as the quorum of nodes sees it, else as this node does) and a group's slot count.
 */
final class ApiViews {
  private ApiViews() {}

  /**
   * Where a server's health comes from: the coordinator's quorum view (empty when it did not answer in
   * time) and this node's own view of the servers it uses.
   */
  record Health(Map<String, QuorumHealth> quorum, Function<String, Optional<Boolean>> serverUp) {
    /** This node's view alone (the coordinator was not asked, or did not answer). */
    static Health local(Function<String, Optional<Boolean>> serverUp) {
      return new Health(Map.of(), serverUp);
    }
  }

  /**
   * {@code up}: this node's view of the server; null when it has not used it (yet). {@code health}: the
   * quorum's view when the coordinator has one, this node's otherwise.
   */
  @JsonPropertyOrder({"addr", "role", "datacenter", "redisVersion", "up", "health"})
  record ServerView(String addr, ServerRole role, String datacenter, String redisVersion, Boolean up,
      HealthView health) {
    static ServerView of(ServerInfo s, Health health) {
      Boolean up = health.serverUp().apply(s.addr()).orElse(null);
      QuorumHealth q = health.quorum().get(s.addr());
      return new ServerView(s.addr(), s.role(), s.datacenter(), s.redisVersion(), up,
          q != null ? HealthView.of(q) : HealthView.local(up));
    }
  }

  /**
   * A server's health.
   *
   * @param status    {@code up}, {@code down} or {@code unknown}
   * @param source    {@code quorum} (the coordinator combined every node's reports) or {@code node} (this
   *                  node's own view: the coordinator did not answer in time or has no report yet)
   * @param downNodes the nodes that see it down now (quorum only)
   * @param role      {@code master} or {@code replica} as the server itself says; empty when unknown
   * @param masterAddr for a replica, whom it follows
   * @param offset    replication offset; null when unknown
   * @param lagBytes  for a replica, how far behind its master; null when unknown
   * @param linkUp    for a replica, whether its link to the master is up; null when unknown
   */
  @JsonPropertyOrder({"status", "source", "downNodes", "role", "masterAddr", "offset", "lagBytes", "linkUp"})
  record HealthView(String status, String source, List<String> downNodes, String role, String masterAddr,
      Long offset, Long lagBytes, Boolean linkUp) {
    static HealthView of(QuorumHealth q) {
      boolean replica = q.role().equals("replica");
      return new HealthView(q.up() ? "up" : "down", "quorum", List.copyOf(q.downNodes()), q.role(),
          q.masterAddr(), q.offset(), replica ? q.lagBytes() : null, replica ? q.linkUp() : null);
    }

    static HealthView local(Boolean up) {
      return new HealthView(up == null ? "unknown" : up ? "up" : "down", "node", List.of(), "", "", null, null,
          null);
    }
  }

  /**
   * {@code slots}: how many slots the group owns ({@link SlotInfo#group()}), migrating ones included;
   * {@code switching}: its master is being switched now (its commands are held); {@code lastFailover}: the
   * last change of its master, null when none.
   */
  @JsonPropertyOrder({"id", "replicaRead", "epoch", "slots", "switching", "lastFailover", "servers"})
  record GroupView(int id, boolean replicaRead, long epoch, int slots, boolean switching, FailoverInfo lastFailover,
      List<ServerView> servers) {
    static GroupView of(GroupInfo g, Topology topology, Health health) {
      return new GroupView(g.id(), g.replicaRead(), g.epoch(),
          topology.slotCountByGroup().getOrDefault(g.id(), 0), g.switching(), g.lastFailover(),
          g.servers().stream().map(s -> ServerView.of(s, health)).toList());
    }
  }

  @JsonPropertyOrder({"epoch", "loaded", "bootstrapped", "migrationsPaused", "moverThrottle", "groups", "slots",
      "nodes"})
  record TopologyView(long epoch, boolean loaded, boolean bootstrapped, boolean migrationsPaused,
      long moverThrottle, List<GroupView> groups, List<SlotInfo> slots, List<NodeInfo> nodes) {
    static TopologyView of(Topology t, Health health) {
      return new TopologyView(t.epoch(), t.loaded(), t.bootstrapped(), t.migrationsPaused(), t.moverThrottle(),
          ApiViews.groups(t, health), t.slots(), List.copyOf(t.nodes().values()));
    }
  }

  static List<GroupView> groups(Topology t, Health health) {
    return t.groups().values().stream().map(g -> GroupView.of(g, t, health)).toList();
  }
}
