package dev.rekko.node.proxy;

/**
 * What happens now to a command (or, for a split command, to the keys of one slot), decided here alone:
 * by a {@link Session} when the command arrives, whether it is single-slot or split over many slots, and
 * by {@link Deferred} each time it looks at a command it holds. An enum, so the hot path allocates
 * nothing to decide.
 */
enum RouteDecision {
  /** No routing table (not online yet, or fenced): refused with {@link Router#refusal()}. */
  REFUSED,
  /** The slot has no master: refused with {@code SLOT_NOT_READY}. */
  OFFLINE,
  /** Straight to the route's master. */
  DIRECT,
  /**
   * The slot's migration is at its barrier, or its group's master is being switched: the command waits,
   * nothing goes to either group.
   */
  HOLD,
  /** The slot is migrating: the command's keys move from the source to the target, then it runs there. */
  MIGRATE_FIRST,
  /**
   * The session holds earlier commands of this slot: it queues behind them, whatever the route says now,
   * so that a client reads its own writes across every step of a migration.
   */
  QUEUED;

  /**
   * @param route  the slot's route in the table in use; null when there is none ({@link Router#table()})
   * @param queued whether the session already holds commands of this slot
   */
  static RouteDecision of(SlotRoute route, boolean queued) {
    if (route == null) {
      return REFUSED;
    }
    if (route.switching()) {
      // Before the master check: between a failover's steps the group may have no master at all.
      return queued ? QUEUED : HOLD;
    }
    if (!route.online()) {
      return OFFLINE;
    }
    if (queued) {
      return QUEUED;
    }
    if (route.hold()) {
      return HOLD;
    }
    return route.migrateFrom() != null ? MIGRATE_FIRST : DIRECT;
  }

  /** Whether the command leaves through the session's {@link Deferred} queue rather than at once. */
  boolean deferred() {
    return this == HOLD || this == MIGRATE_FIRST || this == QUEUED;
  }
}
