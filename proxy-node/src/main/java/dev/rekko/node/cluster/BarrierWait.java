package dev.rekko.node.cluster;

import dev.rekko.slots.Barrier;
import java.util.Optional;

/**
 * One barrier request the {@link BarrierAgent} waits on: a slot's at a migration's barrier, or a group's
 * while its master is switched. Both wait for the same three things (the epoch in the routing table, the
 * sessions' quiescence since that table, a drain); they differ in which epoch, which server and the answer.
 */
abstract sealed class BarrierWait {
  /** The routing table generation that held the epoch first; -1 until then. */
  long generation = -1;
  boolean draining;
  long retryAt;
  long lastAsked;
  int failedDrains;
  /** When the agent was first asked. */
  final long since;

  BarrierWait(long now) {
    this.since = now;
    this.lastAsked = now;
    this.retryAt = now;
  }

  /** The request itself: asks of the same request find this wait again. */
  abstract Object request();

  /** Whether the routing table holds the request's epoch (or a later one). */
  abstract boolean applied(BarrierAgent.DataPath dataPath);

  /** The server ({@code host:port}) to drain before the answer; empty when there is none to drain. */
  abstract Optional<String> drainTarget(BarrierAgent.DataPath dataPath);

  abstract void answer(String self);

  /** What waits, for the log: {@code slot 5 at epoch 12}. */
  abstract String describe();

  static BarrierWait of(Barrier.Request r, long now) {
    return new Slot(r, now);
  }

  static BarrierWait of(Barrier.GroupRequest r, long now) {
    return new Group(r, now);
  }

  /** A migration's barrier: the slot's master as routed now (the source, held) is drained. */
  static final class Slot extends BarrierWait {
    private final Barrier.Request r;

    Slot(Barrier.Request r, long now) {
      super(now);
      this.r = r;
    }

    @Override
    Object request() {
      return r;
    }

    @Override
    boolean applied(BarrierAgent.DataPath dataPath) {
      return dataPath.slotEpoch(r.slot()) >= r.epoch();
    }

    @Override
    Optional<String> drainTarget(BarrierAgent.DataPath dataPath) {
      return dataPath.slotMaster(r.slot());
    }

    @Override
    void answer(String self) {
      r.replyTo().tell(new Barrier.Drained(self, r.slot(), r.epoch()));
    }

    @Override
    String describe() {
      return "slot " + r.slot() + " at epoch " + r.epoch();
    }
  }

  /**
   * A group switching its master: the group's slots are held from its epoch on; with {@code drain} (a
   * switchover, whose old master is up) the named server is drained too. A failover's dead master cannot
   * be drained and is not asked to be.
   */
  static final class Group extends BarrierWait {
    private final Barrier.GroupRequest r;

    Group(Barrier.GroupRequest r, long now) {
      super(now);
      this.r = r;
    }

    @Override
    Object request() {
      return r;
    }

    @Override
    boolean applied(BarrierAgent.DataPath dataPath) {
      return dataPath.groupEpoch(r.group()) >= r.epoch();
    }

    @Override
    Optional<String> drainTarget(BarrierAgent.DataPath dataPath) {
      return r.drain() && !r.server().isEmpty() ? Optional.of(r.server()) : Optional.empty();
    }

    @Override
    void answer(String self) {
      r.replyTo().tell(new Barrier.GroupHeld(self, r.group(), r.epoch()));
    }

    @Override
    String describe() {
      return "group " + r.group() + " at epoch " + r.epoch() + (r.drain() ? " (draining " + r.server() + ")" : "");
    }
  }
}
