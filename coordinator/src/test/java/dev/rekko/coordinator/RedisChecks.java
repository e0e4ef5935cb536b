package dev.rekko.coordinator;

import dev.rekko.redis.admin.RedisAdmin;
import dev.rekko.redis.admin.ReplicationInfo;
import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.time.Duration;

/** Looks at the Redis servers of the coordinator's cluster tests, which all demand {@link #PASSWORD}. */
final class RedisChecks {
  static final String PASSWORD = "pw";

  private RedisChecks() {
  }

  static RedisAdmin admin(RedisServer server) throws IOException {
    return RedisAdmin.connect(server.address(), "", PASSWORD, Duration.ofSeconds(5));
  }

  /**
   * Waits until {@code replica} follows {@code master} with its link up; a connection per look, so that
   * a server that restarts meanwhile is looked at again.
   */
  static void awaitReplicaOf(RedisServer replica, RedisServer master) {
    CoordinatorCluster.await(replica.address() + " replicating " + master.address(), () -> {
      try (RedisAdmin admin = admin(replica)) {
        ReplicationInfo role = admin.role();
        return role.follows(master.host(), master.port()) && role.linkUp();
      } catch (IOException e) {
        return false;
      }
    });
  }

  /** GET, or null while the server does not answer. */
  static Object get(LocalRedisClient client, String key) {
    try {
      return client.call("GET", key);
    } catch (IOException e) {
      return null;
    }
  }
}
