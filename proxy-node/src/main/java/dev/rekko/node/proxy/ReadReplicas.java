package dev.rekko.node.proxy;

import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendConnection;
import dev.rekko.redis.backend.BackendPool;
import java.util.ArrayList;
import java.util.List;

/**
 * The replicas a group with replica reads ({@code GroupInfo.replicaRead}) may serve read-only commands
 * from: those in this node's datacenter first, then the others. One object per group and routing table.
 * {@link #MASTER_ONLY} stands for a group with replica reads whose slot may not read from replicas now
 * (it is in a migration): its reads go to the master, and writes still count for read-your-writes.
 */
public final class ReadReplicas {
  static final ReadReplicas MASTER_ONLY = new ReadReplicas(List.of(), List.of());

  private final BackendAddress[] local;
  private final BackendAddress[] other;

  ReadReplicas(List<BackendAddress> local, List<BackendAddress> other) {
    this.local = local.toArray(BackendAddress[]::new);
    this.other = other.toArray(BackendAddress[]::new);
  }

  /**
   * A replica whose connection for this session, database and protocol is up: one in this node's datacenter if
   * any is, else any; where to start among them depends on {@code affinity}, so sessions spread over the
   * replicas. Null when none is up (the read goes to the master). A replica not connected yet is opened
   * by this call and counts from the next read on, once its connection is up.
   */
  BackendAddress pick(BackendPool pool, int database, int protocol, int affinity) {
    BackendAddress r = pick(local, pool, database, protocol, affinity);
    return r != null ? r : pick(other, pool, database, protocol, affinity);
  }

  private static BackendAddress pick(BackendAddress[] servers, BackendPool pool, int database, int protocol,
      int affinity) {
    for (int i = 0; i < servers.length; i++) {
      BackendAddress s = servers[Math.floorMod(affinity + i, servers.length)];
      BackendConnection c = pool.connection(s, database, protocol, affinity);
      if (c.isUp()) {
        return s;
      }
    }
    return null;
  }

  /** Every replica, this node's datacenter first. */
  List<BackendAddress> all() {
    List<BackendAddress> all = new ArrayList<>(List.of(local));
    all.addAll(List.of(other));
    return all;
  }

  /** How many of {@link #all()} are in this node's datacenter. */
  int localCount() {
    return local.length;
  }
}
