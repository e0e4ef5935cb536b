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
  /** The slot actor is publishing {@code group -> target}. */
  PREPARING,
  /** Waiting for every node to apply the route and drain its in-flight requests to {@code group}. */
  BARRIER,
  /** Served by {@code target}, keys moved from {@code group} on demand and by the background walk. */
  MIGRATING,
  /** Nothing left on {@code group}; about to become {@code ONLINE} at {@code target}. */
  FINISHED
}
