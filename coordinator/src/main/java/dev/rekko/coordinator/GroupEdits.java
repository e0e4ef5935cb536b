package dev.rekko.coordinator;

import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.ServerRole;
import java.util.ArrayList;
import java.util.List;

/** A group's next version after a server change; the master stays first in the list, by convention. */
final class GroupEdits {
  private GroupEdits() {}

  static GroupInfo withServer(GroupInfo group, ServerInfo server, long epoch) {
    List<ServerInfo> next = new ArrayList<>(group.servers());
    next.add(server);
    return group.withServers(next, epoch);
  }

  static GroupInfo withoutServer(GroupInfo group, String addr, long epoch) {
    return group.withServers(group.servers().stream().filter(s -> !s.addr().equals(addr)).toList(), epoch);
  }

  /** {@code addr} becomes the master, every other server (the old master too) a replica. */
  static GroupInfo promoted(GroupInfo group, String addr, long epoch) {
    List<ServerInfo> next = new ArrayList<>();
    next.add(group.server(addr).orElseThrow().withRole(ServerRole.MASTER));
    group.servers().stream().filter(s -> !s.addr().equals(addr)).forEach(s -> next.add(s.withRole(ServerRole.REPLICA)));
    return group.withServers(next, epoch);
  }
}
