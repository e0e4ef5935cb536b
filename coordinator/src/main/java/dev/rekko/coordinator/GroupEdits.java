package dev.rekko.coordinator;

import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
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
}
