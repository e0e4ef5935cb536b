package dev.rekko.coordinator.ha;

import java.time.Duration;
import java.util.Objects;

/**
 * Automatic failover and switchover ({@code rekko.ha.*}, documented in proxy-node's reference.conf and read
 * by the node at start).
 *
 * @param enabled          automatic failover on; off, a dead master waits for an operator's promote
 *                         (health is still checked and shown)
 * @param checkInterval    how often every node PINGs every backend server
 * @param infoInterval     how often every node asks each server {@code INFO} (role, offsets, run id, keys)
 * @param pingTimeout      a PING not answered within this counts as down
 * @param downAfter        a master is objectively down once {@code quorum} nodes have seen it down for this long
 * @param quorum           how many nodes must agree; 0 = a majority of the Up members
 * @param failoverTimeout  a failover not finished within this is abandoned and retried with the next
 *                         candidate; also the limit of a switchover's wait for the replica to catch up
 * @param maxLinkDown      a replica whose link to the master has been down longer is not a candidate
 * @param reportInterval   how often a node sends its whole view even when nothing changed
 * @param repairInterval   how often the coordinator compares servers' roles with the topology
 */
public record HaSettings(boolean enabled, Duration checkInterval, Duration infoInterval, Duration pingTimeout,
    Duration downAfter, int quorum, Duration failoverTimeout, Duration maxLinkDown, Duration reportInterval,
    Duration repairInterval) {

  public HaSettings {
    for (Duration d : new Duration[] {checkInterval, infoInterval, pingTimeout, downAfter, failoverTimeout,
        maxLinkDown, reportInterval, repairInterval}) {
      Objects.requireNonNull(d, "a rekko.ha duration is missing");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("rekko.ha durations must be positive: " + d);
      }
    }
    if (quorum < 0) {
      throw new IllegalArgumentException("rekko.ha.quorum must be 0 (majority) or more: " + quorum);
    }
  }

  /** The defaults of proxy-node's reference.conf, for tests and tools that build settings in code. */
  public static HaSettings defaults() {
    return new HaSettings(true, Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(500),
        Duration.ofSeconds(3), 0, Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(2),
        Duration.ofSeconds(5));
  }

  /** The quorum for {@code upMembers} members: the setting, or a majority of them when it is 0. */
  public int quorumOf(int upMembers) {
    return quorum > 0 ? quorum : upMembers / 2 + 1;
  }
}
