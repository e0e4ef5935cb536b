package dev.rekko.coordinator;

import dev.rekko.coordinator.ha.RedisRoles;
import dev.rekko.redis.admin.RedisAdmin;
import dev.rekko.redis.admin.RedisAdminException;
import dev.rekko.redis.admin.RedisVersion;
import dev.rekko.redis.admin.ReplicationInfo;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.ServerRole;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the coordinator does to backend Redis servers. Every method blocks (sockets, timeouts): call it on
 * a blocking dispatcher, never on an actor's thread.
 */
final class ServerOps {
  private static final Logger log = LoggerFactory.getLogger(ServerOps.class);

  /** The operation is refused; {@code status} as in {@link Coordinator.Failed}. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private final CoordinatorSettings settings;

  ServerOps(CoordinatorSettings settings) {
    this.settings = settings;
  }

  /**
   * Checks a server about to join a group and makes it follow the group's master. Reachable with the
   * backend credentials and new enough, or refused (400). Without a master (the group's first server) it
   * must not replicate anyone (409) and becomes the master; otherwise it is made a replica of
   * {@code masterAddr} unless it already is one.
   *
   * @param masterAddr the group's master, empty for a group's first server
   */
  ServerInfo prepare(String addr, String datacenter, String masterAddr) {
    try (RedisAdmin admin = connect(addr)) {
      RedisVersion version = admin.version();
      if (!version.isAtLeast(settings.minRedisVersion())) {
        throw new Refused(400, addr + " runs Redis " + version + "; Rekko needs " + settings.minRedisVersion()
            + " or newer");
      }
      ReplicationInfo role = admin.role();
      if (masterAddr.isEmpty()) {
        if (role.replica()) {
          throw new Refused(409, addr + " is a replica of " + role.masterAddress() + "; add a master first");
        }
        return new ServerInfo(addr, ServerRole.MASTER, datacenter, version.toString());
      }
      BackendAddress master = BackendAddress.parse(masterAddr);
      if (!role.follows(master.host(), master.port())) {
        follow(admin, master);
        log.info("{} now replicates {}{}", addr, masterAddr,
            role.replica() ? " (it replicated " + role.masterAddress() + ")" : "");
      }
      return new ServerInfo(addr, ServerRole.REPLICA, datacenter, version.toString());
    } catch (RedisAdminException e) {
      throw new Refused(400, e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new Refused(409, "the master of the group has no usable address: " + e.getMessage());
    }
  }

  /** The Redis version of each server that answers; the others are left out. */
  java.util.Map<String, String> versions(List<String> addrs) {
    java.util.Map<String, String> found = new java.util.HashMap<>();
    for (String addr : addrs) {
      try (RedisAdmin admin = connect(addr)) {
        found.put(addr, admin.version().toString());
      } catch (RedisAdminException | RuntimeException e) {
        log.debug("no Redis version from {} yet: {}", addr, e.getMessage());
      }
    }
    return found;
  }

  private RedisAdmin connect(String addr) throws RedisAdminException {
    return RedisAdmin.connect(addr, settings.backendUser(), settings.backendPassword(), settings.backendTls(),
        settings.serverCheckTimeout());
  }

  /** REPLICAOF, after giving the server the credentials to authenticate to its new master. */
  private void follow(RedisAdmin admin, BackendAddress master) throws RedisAdminException {
    RedisRoles.follow(admin, master, settings.backendUser(), settings.backendPassword());
  }
}
