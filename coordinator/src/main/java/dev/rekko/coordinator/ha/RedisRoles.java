package dev.rekko.coordinator.ha;

import dev.rekko.redis.admin.RedisAdmin;
import dev.rekko.redis.admin.RedisAdminException;
import dev.rekko.redis.backend.BackendAddress;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Redis calls that change a server's role, shared by the coordinator's admin operations and HA. Blocking. */
public final class RedisRoles {
  private static final Logger log = LoggerFactory.getLogger(RedisRoles.class);

  private RedisRoles() {}

  /**
   * {@code REPLICAOF master}, after giving the server the credentials to authenticate to its new master
   * ({@code masteruser}/{@code masterauth}, when a password is set).
   */
  public static void follow(RedisAdmin admin, BackendAddress master, String user, String password)
      throws RedisAdminException {
    if (password != null && !password.isEmpty()) {
      try {
        if (user != null && !user.isEmpty()) {
          admin.configSet("masteruser", user);
        }
        admin.configSet("masterauth", password);
      } catch (RedisAdminException e) {
        // CONFIG may be renamed or forbidden on managed servers, whose config then has to carry masterauth.
        if (e.kind() != RedisAdminException.Kind.ERROR_REPLY) {
          throw e;
        }
        log.warn("{}: could not set masterauth ({}); it must already know the master's password",
            admin.server(), e.getMessage());
      }
    }
    admin.replicaOf(master.host(), master.port());
  }

  /**
   * {@code CONFIG REWRITE}, so that a server restarted later keeps its new role. A server without a config
   * file (or one that forbids CONFIG) keeps it in memory only, which is logged and otherwise fine: role
   * repair fixes a server that comes back with its old role.
   */
  public static void rewriteConfig(RedisAdmin admin) throws RedisAdminException {
    try {
      admin.call("CONFIG", "REWRITE");
    } catch (RedisAdminException e) {
      if (e.kind() != RedisAdminException.Kind.ERROR_REPLY) {
        throw e;
      }
      if (!e.getMessage().contains("without a config file") && !e.getMessage().contains("no config file")) {
        log.warn("{}: CONFIG REWRITE failed ({}); its new role holds until it restarts", admin.server(),
            e.getMessage());
      }
    }
  }

  /** Keys in all databases, from {@code INFO keyspace}. */
  static long keys(Map<String, String> keyspace) {
    long keys = 0;
    for (Map.Entry<String, String> e : keyspace.entrySet()) {
      if (!e.getKey().startsWith("db")) {
        continue;
      }
      for (String part : e.getValue().split(",")) {
        if (part.startsWith("keys=")) {
          try {
            keys += Long.parseLong(part.substring(5).strip());
          } catch (NumberFormatException ignored) {
            // not a count: leave it out
          }
        }
      }
    }
    return keys;
  }
}
