package dev.rekko.redis.health;

/**
 * What one node last saw of one backend server. Sent by every node to the coordinator on each change and
 * periodically; the coordinator combines the nodes' views into the quorum's.
 *
 * @param addr          {@code host:port}, as the topology names the server
 * @param up            the last PING was answered in time
 * @param downForMillis how long this node has seen it down without interruption (its own monotonic
 *                      clock, so nodes' wall clocks do not matter); 0 while up
 * @param role          {@code master}, {@code replica}, or empty before the first {@code INFO} answered
 * @param masterAddr    for a replica, the master it follows ({@code host:port}); empty otherwise
 * @param linkUp        for a replica, {@code master_link_status:up}
 * @param linkDownMillis for a replica whose link is down, how long ({@code master_link_down_since_seconds});
 *                      0 otherwise
 * @param offset        replication offset: what a replica applied, what a master produced
 * @param replId        {@code master_replid}
 * @param runId         {@code run_id} from {@code INFO server}: changes when the process restarts
 * @param keys          keys in all databases ({@code INFO keyspace})
 * @param priority      {@code replica-priority} ({@code slave_priority}); 0 = never promote; 100 by default
 * @param ageMillis     how old the {@code INFO} part of this view is (it is probed less often than PING)
 */
public record ServerHealth(String addr, boolean up, long downForMillis, String role, String masterAddr,
    boolean linkUp, long linkDownMillis, long offset, String replId, String runId, long keys, int priority,
    long ageMillis) {

  public ServerHealth {
    role = role == null ? "" : role;
    masterAddr = masterAddr == null ? "" : masterAddr;
    replId = replId == null ? "" : replId;
    runId = runId == null ? "" : runId;
  }

  /** A server this node has not reached yet, or sees down for {@code downForMillis}. */
  public static ServerHealth down(String addr, long downForMillis) {
    return new ServerHealth(addr, false, downForMillis, "", "", false, 0, 0, "", "", 0, 100, 0);
  }

  public boolean isMaster() {
    return role.equals("master");
  }

  public boolean isReplica() {
    return role.equals("replica");
  }
}
