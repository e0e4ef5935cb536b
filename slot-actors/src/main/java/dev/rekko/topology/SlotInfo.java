package dev.rekko.topology;

import dev.rekko.protocol.SlotHash;
import java.util.Objects;

/**
 * The route of one slot, written only by that slot's actor (or by the seed before any slot actor runs).
 *
 * @param id     slot id, 0..1023
 * @param state  route state
 * @param group  the owning group, 0 = none
 * @param target the group a migration moves it to, 0 = none
 * @param epoch  the version of this entry and its LWW clock
 */
public record SlotInfo(int id, SlotState state, int group, int target, long epoch)
    implements TopologySerializable, Versioned {

  public SlotInfo {
    Objects.requireNonNull(state, "state");
    if (id < 0 || id >= SlotHash.SLOTS) {
      throw new IllegalArgumentException("slot id out of range: " + id);
    }
    if (group < 0 || target < 0) {
      throw new IllegalArgumentException("slot " + id + ": negative group id");
    }
    if (epoch < 0) {
      throw new IllegalArgumentException("slot " + id + ": negative epoch");
    }
  }

  /** The state every slot has before anything was written: no owner, epoch 0. */
  public static SlotInfo offline(int id) {
    return new SlotInfo(id, SlotState.OFFLINE, 0, 0, 0);
  }

  public static SlotInfo online(int id, int group, long epoch) {
    return new SlotInfo(id, SlotState.ONLINE, group, 0, epoch);
  }
}
