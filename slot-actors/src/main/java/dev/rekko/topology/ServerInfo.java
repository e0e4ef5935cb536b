package dev.rekko.topology;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.rekko.redis.backend.BackendAddress;
import java.util.Objects;

/**
 * One backend Redis server of a group.
 *
 * @param addr         {@code host:port}
 * @param role         master or replica
 * @param datacenter   free-form label used to prefer nearby replicas; empty when unknown
 * @param redisVersion as reported by {@code INFO server}; empty until the server was reached. A migration
 *                     from a newer to an older Redis is refused because DUMP payloads do not go backwards
 */
public record ServerInfo(String addr, ServerRole role, String datacenter, String redisVersion)
    implements TopologySerializable {

  public ServerInfo {
    Objects.requireNonNull(addr, "addr");
    Objects.requireNonNull(role, "role");
    if (addr.isBlank()) {
      throw new IllegalArgumentException("server address is empty");
    }
    // JSON from operators may leave these out; empty keeps comparisons and the console simple.
    datacenter = datacenter == null ? "" : datacenter;
    redisVersion = redisVersion == null ? "" : redisVersion;
  }

  public static ServerInfo master(String addr) {
    return new ServerInfo(addr, ServerRole.MASTER, "", "");
  }

  public static ServerInfo replica(String addr) {
    return new ServerInfo(addr, ServerRole.REPLICA, "", "");
  }

  /** The address as host and port; {@code addr} stays a string because that is its JSON and stored form. */
  @JsonIgnore
  public BackendAddress address() {
    return BackendAddress.parse(addr);
  }

  @JsonIgnore
  public boolean isMaster() {
    return role == ServerRole.MASTER;
  }

  public ServerInfo withRole(ServerRole newRole) {
    return new ServerInfo(addr, newRole, datacenter, redisVersion);
  }
}
