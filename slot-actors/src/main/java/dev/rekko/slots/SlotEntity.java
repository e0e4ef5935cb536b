package dev.rekko.slots;

import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import dev.rekko.topology.TopologySettings;
import dev.rekko.topology.TopologyWriter;
import java.time.Duration;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One slot's actor, a sharded entity with id = the slot number: the only writer of that slot's route.
 *
 * <p>It starts by reading its own entry with {@code rekko.topology.initial-read} (majority) so that, after
 * moving to another node, it resumes from what it last published there rather than from a lagging local
 * replica; commands wait (stashed) until that read succeeds. Changes are published one at a time with a
 * new epoch, and a command is answered only after its write: the slot's state is what the topology says.
 *
 * <p>A migration walks {@link SlotState}'s steps in order (see docs/architecture.md, "Migration of a slot"), each one
 * published before the next begins, so an actor restarted on another node resumes from the published
 * step: {@code PREPARING} asks every node's barrier agent, {@code MIGRATING} waits for the source's mover,
 * whose report makes it {@code ONLINE} at the target. Four writes in all, counting {@code PENDING}: each one
 * rewrites the slot's 64-slot map on every node, so the steps that only named a phase ({@code BARRIER}, the
 * barrier under way, and {@code FINISHED}, routed as {@code ONLINE} is) are no longer published; an entry
 * left at one of them by an older node resumes as before. The behavior is {@link SlotBehavior}.
 */
public final class SlotEntity {
  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "rekko-slot");

  public interface Command {}

  /**
   * Gives an offline slot to a group without moving data. Idempotent when the slot is already online at
   * that group; rejected when it is online elsewhere or migrating.
   *
   * @param minEpoch the new entry's epoch is at least this (the coordinator passes its next epoch), and
   *                 always above the slot's current epoch
   */
  public record Assign(int group, long minEpoch, ActorRef<Reply> replyTo) implements Command, SlotSerializable {}

  /**
   * Asks an online slot to move to {@code target}. With {@code start} false it publishes {@code PENDING}:
   * nothing moves until {@link StartMigration}, and until then it can be cancelled. With {@code start}
   * (the coordinator's scheduler has room for it) it publishes {@code PREPARING} at once and goes on as a
   * started migration does, saving the {@code PENDING} write. Idempotent for the same target; a slot
   * already pending stays so.
   */
  public record Migrate(int target, long minEpoch, boolean start, ActorRef<Reply> replyTo)
      implements Command, SlotSerializable {}

  /**
   * Starts a pending migration: {@code PREPARING} (every node holds the slot's commands), the barrier,
   * {@code MIGRATING} (keys move), then {@code ONLINE} at the target, each published
   * with a new epoch. Answered once {@code PREPARING} is published; the rest runs on its own and resumes
   * from the published state if the actor restarts elsewhere.
   */
  public record StartMigration(ActorRef<Reply> replyTo) implements Command, SlotSerializable {}

  /** Cancels a pending migration (back to {@code ONLINE} at the source); one in progress cannot be rolled back. */
  public record CancelMigration(ActorRef<Reply> replyTo) implements Command, SlotSerializable {}

  /**
   * From the source's mover: a walk of the source that began after the slot was published
   * {@code MIGRATING} at {@code epoch}, with the slot from its start, has completed, so none of the
   * slot's keys is left there.
   */
  public record SourceEmpty(long epoch) implements Command, SlotSerializable {}

  /** Replies with the slot's route as this actor knows it (after its first read). */
  public record GetSlot(ActorRef<SlotInfo> replyTo) implements Command, SlotSerializable {}

  /** Starts the entity (remember-entities then keeps it alive); no reply. */
  public record Wake() implements Command, SlotSerializable {}

  public sealed interface Reply extends SlotSerializable {}

  /** The change is published (or was already in place): the slot's route now. */
  public record Done(SlotInfo slot) implements Reply {}

  /** Nothing changed, and why. */
  public record Rejected(int slot, String reason) implements Reply {}

  record Loaded(SlotInfo slot, Throwable error) implements Command, NoSerializationVerificationNeeded {}

  record ReadAgain() implements Command, NoSerializationVerificationNeeded {}

  record Published(SlotInfo slot, ActorRef<Reply> replyTo, Throwable error)
      implements Command, NoSerializationVerificationNeeded {}

  record AgentsListed(Receptionist.Listing listing) implements Command, NoSerializationVerificationNeeded {}

  record AgentDrained(Barrier.Drained drained) implements Command, NoSerializationVerificationNeeded {}

  record BarrierTick() implements Command, NoSerializationVerificationNeeded {}


  private SlotEntity() {}

  public static Behavior<Command> create(int slot, TopologyWriter writer) {
    // Every line the slot's actor logs names the slot (MDC "slot": a field of JSON logs).
    return Behaviors.withMdc(Command.class, java.util.Map.of("slot", Integer.toString(slot)),
        Behaviors.setup(ctx -> Behaviors.withTimers(timers -> Behaviors.withStash(10_000,
            stash -> new SlotBehavior(ctx, timers, stash, slot, writer).loading()))));
  }

  /** How long a caller should wait for a {@link Reply}: a majority write plus its margin. */
  public static Duration replyTimeout(TopologySettings settings) {
    return settings.askTimeout().plusSeconds(2);
  }
}
