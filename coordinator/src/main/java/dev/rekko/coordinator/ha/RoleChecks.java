package dev.rekko.coordinator.ha;

import dev.rekko.redis.health.ServerHealth;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the servers' own reports say against the topology: replicas to repair, and a master that came
 * back empty. Pure.
 */
final class RoleChecks {
  private RoleChecks() {}

  /** Make {@code addr} follow {@code master}, because {@code reason}. */
  record Repair(int group, String addr, String master, String reason) {}

  /**
   * The group's replicas that do not follow its master: a server the topology lists as a replica that
   * says it is a master (an old master that came back, say) or follows someone else. Nothing while the
   * master itself does not report as a master (it is down, or changing): the replicas would be pointed
   * at a server that cannot feed them.
   *
   * @param health each server's current report (a node that reaches it), empty when none
   */
  static List<Repair> repairs(GroupInfo group, Function<String, Optional<ServerHealth>> health) {
    List<Repair> repairs = new ArrayList<>();
    Optional<ServerInfo> master = group.master();
    if (master.isEmpty() || !health.apply(master.get().addr()).map(ServerHealth::isMaster).orElse(false)) {
      return repairs;
    }
    String m = master.get().addr();
    for (ServerInfo s : group.servers()) {
      if (s.isMaster()) {
        continue;
      }
      Optional<ServerHealth> h = health.apply(s.addr());
      if (h.isEmpty()) {
        continue;
      }
      if (h.get().isMaster()) {
        repairs.add(new Repair(group.id(), s.addr(), m, s.addr() + " is a replica of group " + group.id()
            + " but says it is a master"));
      } else if (h.get().isReplica() && !h.get().masterAddr().equals(m)) {
        repairs.add(new Repair(group.id(), s.addr(), m, s.addr() + " follows " + h.get().masterAddr()
            + ", not the group's master " + m));
      }
    }
    return repairs;
  }

  /**
   * The server that Redis already made the group's master while the topology still names the old one: the
   * topology's master says it replicates another server of the group, which says it is a master. A
   * switchover cut short after {@code REPLICAOF NO ONE} (its coordinator stopped) leaves exactly this.
   */
  static Optional<String> switchedInRedis(GroupInfo group, Function<String, Optional<ServerHealth>> health) {
    Optional<ServerHealth> master = group.master().flatMap(m -> health.apply(m.addr()));
    if (master.isEmpty() || !master.get().isReplica()) {
      return Optional.empty();
    }
    String other = master.get().masterAddr();
    boolean ours = group.server(other).map(s -> !s.isMaster()).orElse(false);
    return ours && health.apply(other).map(ServerHealth::isMaster).orElse(false) ? Optional.of(other)
        : Optional.empty();
  }

  /**
   * Why the master should be replaced because it restarted without its data: its run id changed since
   * {@code lastRunId}, it holds no keys, and a replica still reports keys (a restart without persistence
   * would otherwise make the replicas resync to nothing). Empty when it may stay.
   */
  static Optional<String> restartedEmpty(String lastRunId, ServerHealth master, List<ServerHealth> replicas) {
    if (lastRunId == null || lastRunId.isEmpty() || master.runId().isEmpty() || lastRunId.equals(master.runId())
        || !master.isMaster() || master.keys() > 0) {
      return Optional.empty();
    }
    List<String> withKeys = replicas.stream().filter(r -> r.keys() > 0).map(r -> r.addr() + " (" + r.keys()
        + " keys)").toList();
    if (withKeys.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("master restarted empty: " + master.addr() + " has a new run id and no keys, while "
        + String.join(", ", withKeys) + " still hold data");
  }
}
