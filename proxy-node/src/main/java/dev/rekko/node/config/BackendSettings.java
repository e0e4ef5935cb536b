package dev.rekko.node.config;

import dev.rekko.redis.backend.BackendOptions;

/**
 * {@code rekko.backend}: how the node talks to the Redis servers of the groups.
 *
 * @param connections how the backend pool connects (credentials, connections per server, timeouts, pings):
 *     redis-module's own record, built here from the same keys
 * @param databases   databases clients may SELECT: 0 .. databases-1
 */
public record BackendSettings(BackendOptions connections, int databases) {

  /** The ACL user for every backend server; empty = the default user. */
  public String user() {
    return connections.user();
  }

  /** The password for every backend server; empty = none. */
  public String password() {
    return connections.password();
  }
}
