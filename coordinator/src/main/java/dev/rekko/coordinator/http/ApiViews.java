package dev.rekko.coordinator.http;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.NodeInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.ServerRole;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.Topology;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the API shows of the topology: the replicated records plus what only this node knows, a server's
 * health ({@code up}) and a group's slot count. The records' own JSON has neither, because neither is
 * replicated state.
 */
final class ApiViews {
  private ApiViews() {}

  /** {@code up}: this node's view of the server; null when it has not checked it (yet). */
  @JsonPropertyOrder({"addr", "role", "datacenter", "redisVersion", "up"})
  record ServerView(String addr, ServerRole role, String datacenter, String redisVersion, Boolean up) {
    static ServerView of(ServerInfo s, Function<String, Optional<Boolean>> serverUp) {
      return new ServerView(s.addr(), s.role(), s.datacenter(), s.redisVersion(),
          serverUp.apply(s.addr()).orElse(null));
    }
  }

  /** {@code slots}: how many slots the group owns ({@link SlotInfo#group()}), migrating ones included. */
  @JsonPropertyOrder({"id", "replicaRead", "epoch", "slots", "servers"})
  record GroupView(int id, boolean replicaRead, long epoch, int slots, List<ServerView> servers) {
    static GroupView of(GroupInfo g, Topology topology, Function<String, Optional<Boolean>> serverUp) {
      return new GroupView(g.id(), g.replicaRead(), g.epoch(),
          topology.slotCountByGroup().getOrDefault(g.id(), 0),
          g.servers().stream().map(s -> ServerView.of(s, serverUp)).toList());
    }
  }

  @JsonPropertyOrder({"epoch", "loaded", "bootstrapped", "migrationsPaused", "moverThrottle", "groups", "slots",
      "nodes"})
  record TopologyView(long epoch, boolean loaded, boolean bootstrapped, boolean migrationsPaused,
      long moverThrottle, List<GroupView> groups, List<SlotInfo> slots, List<NodeInfo> nodes) {
    static TopologyView of(Topology t, Function<String, Optional<Boolean>> serverUp) {
      return new TopologyView(t.epoch(), t.loaded(), t.bootstrapped(), t.migrationsPaused(), t.moverThrottle(),
          ApiViews.groups(t, serverUp), t.slots(), List.copyOf(t.nodes().values()));
    }
  }

  static List<GroupView> groups(Topology t, Function<String, Optional<Boolean>> serverUp) {
    return t.groups().values().stream().map(g -> GroupView.of(g, t, serverUp)).toList();
  }
}
