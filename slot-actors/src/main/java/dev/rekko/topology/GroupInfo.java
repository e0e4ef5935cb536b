package dev.rekko.topology;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A group: one master Redis plus replicas. Written only by the coordinator, versioned by {@code epoch}.
 *
 * @param id          positive group id
 * @param servers     master first by convention; at most one {@link ServerRole#MASTER}, addresses unique.
 *                    A group may briefly have no master (just created, or between failover steps)
 * @param replicaRead whether reads may go to replicas
 * @param epoch       the version of this entry and its LWW clock
 * @param switching   its master is being switched (failover or switchover): every node holds the commands
 *                    of the group's slots, as at a migration's barrier, until a later epoch clears it
 * @param lastFailover the last change of master, null when there was none
 */
public record GroupInfo(int id, List<ServerInfo> servers, boolean replicaRead, long epoch, boolean switching,
    FailoverInfo lastFailover) implements TopologySerializable, Versioned {

  /** A group that is not switching and never failed over. */
  public GroupInfo(int id, List<ServerInfo> servers, boolean replicaRead, long epoch) {
    this(id, servers, replicaRead, epoch, false, null);
  }

  @JsonCreator
  public GroupInfo {
    if (id <= 0) {
      throw new IllegalArgumentException("group id must be positive: " + id);
    }
    servers = servers == null ? List.of() : List.copyOf(servers);
    Set<String> seen = new HashSet<>();
    int masters = 0;
    for (ServerInfo s : servers) {
      if (!seen.add(s.addr())) {
        throw new IllegalArgumentException("group " + id + " lists server " + s.addr() + " twice");
      }
      masters += s.isMaster() ? 1 : 0;
    }
    if (masters > 1) {
      throw new IllegalArgumentException("group " + id + " has " + masters + " masters");
    }
  }

  @JsonIgnore
  public Optional<ServerInfo> master() {
    return servers.stream().filter(ServerInfo::isMaster).findFirst();
  }

  @JsonIgnore
  public Optional<ServerInfo> server(String addr) {
    return servers.stream().filter(s -> s.addr().equals(addr)).findFirst();
  }

  /** The same group at a new epoch with other servers; the caller picks the epoch. */
  public GroupInfo withServers(List<ServerInfo> newServers, long newEpoch) {
    return new GroupInfo(id, newServers, replicaRead, newEpoch, switching, lastFailover);
  }

  public GroupInfo withEpoch(long newEpoch) {
    return new GroupInfo(id, servers, replicaRead, newEpoch, switching, lastFailover);
  }

  /** The same group at a new epoch, held ({@code true}) or released while its master is switched. */
  public GroupInfo withSwitching(boolean newSwitching, long newEpoch) {
    return new GroupInfo(id, servers, replicaRead, newEpoch, newSwitching, lastFailover);
  }

  public GroupInfo withLastFailover(FailoverInfo failover, long newEpoch) {
    return new GroupInfo(id, servers, replicaRead, newEpoch, switching, failover);
  }
}
