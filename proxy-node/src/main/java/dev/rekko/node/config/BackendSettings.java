package dev.rekko.node.config;

import dev.rekko.redis.backend.BackendOptions;

/**
 * {@code rekko.backend}: how the node talks to the Redis servers of the groups.
 *
 * @param connections how the backend pool connects (credentials, connections per server, timeouts, pings):
 *     redis-module's own record, built here from the same keys
 * @param databases   databases clients may SELECT: 0 .. databases-1
 * @param maxBlockingConnections blocking commands (BLPOP, XREAD BLOCK, WAIT …) the node runs at once,
 *     each on a backend connection of its own; one more is refused
 */
public record BackendSettings(BackendOptions connections, int databases, int maxBlockingConnections) {
  /** The default of {@code rekko.backend.max-blocking-connections}. */
  public static final int DEFAULT_MAX_BLOCKING = 1000;

  public BackendSettings(BackendOptions connections, int databases) {
    this(connections, databases, DEFAULT_MAX_BLOCKING);
  }

  /** The ACL user for every backend server; empty = the default user. */
  public String user() {
    return connections.user();
  }

  /** The password for every backend server; empty = none. */
  public String password() {
    return connections.password();
  }
}
