package dev.rekko.node.proxy;

import dev.rekko.redis.backend.BackendAddress;

/**
 * Where one slot's commands go.
 *
 * @param slot        the slot
 * @param group       the group serving it ({@code target} once a migration passed its barrier)
 * @param master      that group's master; null = offline
 * @param epoch       the slot entry's epoch in the topology this route was built from
 * @param hold        a migration is at its barrier: commands wait, nothing goes to either group
 * @param migrateFrom while migrating: the source master, from which each command's keys are moved to
 *                    {@code master} before the command runs there; null otherwise
 * @param switchingGroup the group whose master is being switched (failover or switchover), or that this
 *                    node does not know with a server yet, and that this slot's commands wait for ({@code hold} is then
 *                    set too), 0 when none. A switching group may have no master for a while: its slots
 *                    are held, not offline
 * @param replicas    when the serving group has replica reads on: the replicas its read-only commands may
 *                    go to ({@link ReadReplicas#MASTER_ONLY} while the slot is in a migration); null when
 *                    replica reads are off
 */
public record SlotRoute(int slot, int group, BackendAddress master, long epoch, boolean hold,
    BackendAddress migrateFrom, int switchingGroup, ReadReplicas replicas) {

  public SlotRoute(int slot, int group, BackendAddress master) {
    this(slot, group, master, 0, false, null, 0, null);
  }

  public SlotRoute(int slot, int group, BackendAddress master, long epoch, boolean hold,
      BackendAddress migrateFrom, int switchingGroup) {
    this(slot, group, master, epoch, hold, migrateFrom, switchingGroup, null);
  }

  public boolean online() {
    return master != null;
  }

  /** Held because a group's master is being switched, rather than (only) at a migration's barrier. */
  public boolean switching() {
    return switchingGroup != 0;
  }

  /** Online and nothing in the way: commands go straight to {@link #master}. */
  public boolean direct() {
    return master != null && !hold && migrateFrom == null;
  }
}
