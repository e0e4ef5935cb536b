package dev.rekko.topology;

/**
 * The last change of a group's master, kept in its {@link GroupInfo} for operators ({@code GET
 * /api/groups/{id}}).
 *
 * @param kind           {@code failover} (the master was down) or {@code switchover} (an operator promoted a
 *                       replica while the master was up)
 * @param reason         why, in words: which nodes saw the master down, or who asked
 * @param oldMaster      the master before; empty when the group had none
 * @param newMaster      the master after
 * @param atMillis       when the switch was published (wall clock, milliseconds since the epoch)
 * @param durationMillis from the decision to the publication of the new master
 */
public record FailoverInfo(String kind, String reason, String oldMaster, String newMaster, long atMillis,
    long durationMillis) implements TopologySerializable {

  public FailoverInfo {
    kind = kind == null ? "" : kind;
    reason = reason == null ? "" : reason;
    oldMaster = oldMaster == null ? "" : oldMaster;
    newMaster = newMaster == null ? "" : newMaster;
  }
}
