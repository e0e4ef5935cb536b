package dev.rekko.topology;

/**
 * The state of one slot's route. {@code OFFLINE} and {@code ONLINE} are the resting states; the others are
 * the steps of an online migration, in order (see docs/architecture.md, "Migration of a slot").
 */
public enum SlotState {
  /** Not served: no group owns it, commands for it fail. */
  OFFLINE,
  /** Served by {@code group}. */
  ONLINE,
  /** The coordinator asked the slot to move to {@code target}; still served by {@code group}. */
  PENDING,
  /**
   * Held on every node while the slot actor waits at its barrier: for every node to apply this step and
   * drain its in-flight requests to {@code group}.
   */
  PREPARING,
  /** As {@code PREPARING}. Published by older versions only; still understood. */
  BARRIER,
  /** Served by {@code target}, keys moved from {@code group} on demand and by the background walk. */
  MIGRATING,
  /**
   * Nothing left on {@code group}; routed as {@code ONLINE} at {@code target}. Published by older versions
   * only (the slot now goes from {@code MIGRATING} straight to {@code ONLINE}); still understood.
   */
  FINISHED
}
