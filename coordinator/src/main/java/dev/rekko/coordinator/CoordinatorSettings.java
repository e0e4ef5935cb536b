package dev.rekko.coordinator;

import dev.rekko.redis.admin.RedisVersion;
import dev.rekko.redis.tls.BackendTls;
import dev.rekko.topology.TopologySeed;
import dev.rekko.coordinator.ha.HaSettings;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the coordinator needs besides the topology: the bootstrap groups, how to reach backend Redis servers
 * and how long to wait for them and for slot actors. A node builds it at start from its configuration
 * ({@code rekko.bootstrap.groups}, the credentials of {@code rekko.backend} and {@code rekko.coordinator},
 * documented in proxy-node's reference.conf); this module reads no configuration itself.
 *
 * @param seedGroups         groups to create (with an even slot spread) when the cluster is new; may be empty
 * @param backendUser        ACL user for admin connections to backend Redis; empty for the default user
 * @param backendPassword    password for admin connections to backend Redis; empty for none. Also set as
 *                           {@code masterauth} on a server before it is made a replica
 * @param serverCheckTimeout connect and reply timeout of each admin connection
 * @param minRedisVersion    servers older than this are refused
 * @param slotAskTimeout     how long to wait for a slot actor's answer
 * @param viewTimeout        how long, after a write, to wait for this node's replica to show it before
 *                           answering anyway (it normally takes one notify interval)
 * @param maxParallelSlots   how many slots migrate at once (from their start to their end)
 * @param ha                 health checks, automatic failover and switchover
 * @param backendTls         TLS for admin connections to backend Redis ({@code rekko.backend.tls}); null: plain TCP
 */
public record CoordinatorSettings(
    List<TopologySeed.SeedGroup> seedGroups,
    String backendUser,
    String backendPassword,
    Duration serverCheckTimeout,
    RedisVersion minRedisVersion,
    Duration slotAskTimeout,
    Duration viewTimeout,
    int maxParallelSlots,
    HaSettings ha,
    BackendTls backendTls) {

  /** Plain TCP to the backend servers. */
  public CoordinatorSettings(List<TopologySeed.SeedGroup> seedGroups, String backendUser, String backendPassword,
      Duration serverCheckTimeout, RedisVersion minRedisVersion, Duration slotAskTimeout, Duration viewTimeout,
      int maxParallelSlots, HaSettings ha) {
    this(seedGroups, backendUser, backendPassword, serverCheckTimeout, minRedisVersion, slotAskTimeout,
        viewTimeout, maxParallelSlots, ha, null);
  }

  /** With the default {@link HaSettings}. */
  public CoordinatorSettings(List<TopologySeed.SeedGroup> seedGroups, String backendUser, String backendPassword,
      Duration serverCheckTimeout, RedisVersion minRedisVersion, Duration slotAskTimeout, Duration viewTimeout,
      int maxParallelSlots) {
    this(seedGroups, backendUser, backendPassword, serverCheckTimeout, minRedisVersion, slotAskTimeout,
        viewTimeout, maxParallelSlots, HaSettings.defaults());
  }

  public CoordinatorSettings {
    seedGroups = List.copyOf(seedGroups);
    backendUser = backendUser == null ? "" : backendUser;
    backendPassword = backendPassword == null ? "" : backendPassword;
    Objects.requireNonNull(serverCheckTimeout, "serverCheckTimeout");
    Objects.requireNonNull(minRedisVersion, "minRedisVersion");
    Objects.requireNonNull(slotAskTimeout, "slotAskTimeout");
    Objects.requireNonNull(viewTimeout, "viewTimeout");
    Objects.requireNonNull(ha, "ha");
    if (maxParallelSlots < 1) {
      throw new IllegalArgumentException("maxParallelSlots must be at least 1: " + maxParallelSlots);
    }
  }

  /** The password is not printed. */
  @Override
  public String toString() {
    return "CoordinatorSettings[seedGroups=" + seedGroups + ", backendUser=" + backendUser
        + ", backendPassword=" + (backendPassword.isEmpty() ? "" : "***") + ", serverCheckTimeout="
        + serverCheckTimeout + ", minRedisVersion=" + minRedisVersion + ", slotAskTimeout=" + slotAskTimeout
        + ", viewTimeout=" + viewTimeout + ", maxParallelSlots=" + maxParallelSlots + ", ha=" + ha
        + (backendTls == null ? "" : ", backendTls=on") + "]";
  }
}
