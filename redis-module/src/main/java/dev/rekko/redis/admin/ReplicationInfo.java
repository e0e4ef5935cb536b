package dev.rekko.redis.admin;

import java.util.Map;

/**
 * What {@code INFO replication} says about a server's role.
 *
 * @param replica    true for {@code role:slave}
 * @param masterHost the master it follows; empty for a master
 * @param masterPort 0 for a master
 * @param linkStatus {@code master_link_status} ({@code up} or {@code down}); empty for a master
 * @param offset     the replication offset: {@code slave_repl_offset} of a replica (what it has applied),
 *                   {@code master_repl_offset} of a master
 */
public record ReplicationInfo(boolean replica, String masterHost, int masterPort, String linkStatus,
    long offset) {

  public static ReplicationInfo parse(Map<String, String> info) {
    String role = info.getOrDefault("role", "");
    if (role.equals("master")) {
      return new ReplicationInfo(false, "", 0, "", number(info.get("master_repl_offset")));
    }
    if (!role.equals("slave")) {
      throw new IllegalArgumentException("INFO replication has no known role: '" + role + "'");
    }
    String offset = info.getOrDefault("slave_repl_offset", info.get("master_repl_offset"));
    return new ReplicationInfo(true, info.getOrDefault("master_host", ""),
        (int) number(info.get("master_port")), info.getOrDefault("master_link_status", ""), number(offset));
  }

  /** {@code host:port} of the master it follows, empty for a master. */
  public String masterAddress() {
    return replica ? masterHost + ":" + masterPort : "";
  }

  /** Whether it replicates exactly that master. */
  public boolean follows(String host, int port) {
    return replica && masterHost.equals(host) && masterPort == port;
  }

  /** A replica whose link to its master is up. */
  public boolean linkUp() {
    return replica && linkStatus.equals("up");
  }

  private static long number(String s) {
    if (s == null || s.isBlank()) {
      return 0;
    }
    try {
      return Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
