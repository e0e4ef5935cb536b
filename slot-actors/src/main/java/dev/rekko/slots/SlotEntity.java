package dev.rekko.slots;

import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.StaleEpochException;
import dev.rekko.topology.TopologyKeys;
import dev.rekko.topology.TopologySettings;
import dev.rekko.topology.TopologyWriteException;
import dev.rekko.topology.TopologyWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One slot's actor, a sharded entity with id = the slot number: the only writer of that slot's route.
 *
 * <p>It starts by reading its own entry with {@code rekko.topology.initial-read} (majority) so that, after
 * moving to another node, it resumes from what it last published there rather than from a lagging local
 * replica; commands wait (stashed) until that read succeeds. Changes are published one at a time with a
 * new epoch, and a command is answered only after its write: the slot's state is what the topology says.
 * The migration steps (issue 5) extend this state machine; {@link SlotState} already names them.
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

  /** Replies with the slot's route as this actor knows it (after its first read). */
  public record GetSlot(ActorRef<SlotInfo> replyTo) implements Command, SlotSerializable {}

  /** Starts the entity (remember-entities then keeps it alive); no reply. */
  public record Wake() implements Command, SlotSerializable {}

  public sealed interface Reply extends SlotSerializable {}

  /** The change is published (or was already in place): the slot's route now. */
  public record Done(SlotInfo slot) implements Reply {}

  /** Nothing changed, and why. */
  public record Rejected(int slot, String reason) implements Reply {}

  private record Loaded(SlotInfo slot, Throwable error) implements Command, NoSerializationVerificationNeeded {}

  private record ReadAgain() implements Command, NoSerializationVerificationNeeded {}

  private record Published(SlotInfo slot, ActorRef<Reply> replyTo, Throwable error)
      implements Command, NoSerializationVerificationNeeded {}

  private SlotEntity() {}

  public static Behavior<Command> create(int slot, TopologyWriter writer) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> Behaviors.withStash(10_000,
        stash -> new SlotEntity.Instance(ctx, timers, stash, slot, writer).loading())));
  }

  private static final class Instance {
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final StashBuffer<Command> stash;
    private final int id;
    private final TopologyWriter writer;
    private final TopologySettings settings;
    private SlotInfo slot;

    Instance(ActorContext<Command> ctx, TimerScheduler<Command> timers, StashBuffer<Command> stash, int id,
        TopologyWriter writer) {
      this.ctx = ctx;
      this.timers = timers;
      this.stash = stash;
      this.id = id;
      this.writer = writer;
      this.settings = writer.settings();
      read();
    }

    /** Before the first read: everything but the read's answer waits. */
    Behavior<Command> loading() {
      return Behaviors.receive(Command.class)
          .onMessage(Loaded.class, this::onLoaded)
          .onMessage(ReadAgain.class, m -> {
            read();
            return Behaviors.same();
          })
          .onMessage(Wake.class, m -> Behaviors.same())
          .onAnyMessage(m -> {
            stash.stash(m);
            return Behaviors.same();
          })
          .build();
    }

    Behavior<Command> idle() {
      return Behaviors.receive(Command.class)
          .onMessage(Assign.class, this::onAssign)
          .onMessage(GetSlot.class, m -> {
            m.replyTo().tell(slot);
            return Behaviors.same();
          })
          .onMessage(Wake.class, m -> Behaviors.same())
          .build();
    }

    /** While one change is being written: others wait their turn, reads are answered. */
    Behavior<Command> publishing() {
      return Behaviors.receive(Command.class)
          .onMessage(Published.class, this::onPublished)
          .onMessage(GetSlot.class, m -> {
            m.replyTo().tell(slot);
            return Behaviors.same();
          })
          .onMessage(Wake.class, m -> Behaviors.same())
          .onAnyMessage(m -> {
            stash.stash(m);
            return Behaviors.same();
          })
          .build();
    }

    private void read() {
      var replicator = DistributedData.get(ctx.getSystem()).replicator();
      var key = TopologyKeys.slotKey(id);
      ctx.<Replicator.Command, Replicator.GetResponse<LWWMap<Integer, SlotInfo>>>ask(castGetResponse(), replicator,
          settings.askTimeout(), replyTo -> new Replicator.Get<>(key, settings.initialRead(), replyTo),
          (rsp, error) -> {
            if (error != null) {
              return new Loaded(null, error);
            }
            if (rsp instanceof Replicator.GetSuccess<LWWMap<Integer, SlotInfo>> ok) {
              SlotInfo s = ok.dataValue().getEntries().get(id);
              return new Loaded(s == null ? SlotInfo.offline(id) : s, null);
            }
            if (rsp instanceof Replicator.NotFound<?>) {
              return new Loaded(SlotInfo.offline(id), null);
            }
            return new Loaded(null, new IllegalStateException(rsp.toString()));
          });
    }

    private Behavior<Command> onLoaded(Loaded m) {
      if (m.error() != null) {
        ctx.getLog().debug("slot {}: read failed ({}), retrying", id, m.error().toString());
        timers.startSingleTimer(new ReadAgain(), settings.readRetry());
        return Behaviors.same();
      }
      slot = m.slot();
      return stash.unstashAll(idle());
    }

    private Behavior<Command> onAssign(Assign m) {
      if (m.group() <= 0) {
        m.replyTo().tell(new Rejected(id, "group id must be positive: " + m.group()));
        return Behaviors.same();
      }
      switch (slot.state()) {
        case OFFLINE -> {
          long epoch = Math.max(m.minEpoch(), slot.epoch() + 1);
          return publish(SlotInfo.online(id, m.group(), epoch), m.replyTo());
        }
        case ONLINE -> {
          if (slot.group() == m.group()) {
            m.replyTo().tell(new Done(slot));
          } else {
            m.replyTo().tell(new Rejected(id, "slot " + id + " is online at group " + slot.group()
                + "; assign takes offline slots only, use migrate to move it"));
          }
          return Behaviors.same();
        }
        default -> {
          m.replyTo().tell(new Rejected(id, "slot " + id + " is " + slot.state().name().toLowerCase()
              + " from group " + slot.group() + " to group " + slot.target()));
          return Behaviors.same();
        }
      }
    }

    private Behavior<Command> publish(SlotInfo next, ActorRef<Reply> replyTo) {
      ctx.pipeToSelf(writer.putSlots(List.of(next)), (done, error) -> new Published(next, replyTo, error));
      return publishing();
    }

    private Behavior<Command> onPublished(Published m) {
      Throwable error = unwrap(m.error());
      if (error == null || error instanceof TopologyWriteException) {
        // A write that missed its majority in time is still applied here and spreads by gossip: the
        // route has changed, so the actor's state follows it and the caller hears of the delay.
        if (error != null) {
          ctx.getLog().warn("slot {}: {} (published locally, spreading)", id, error.getMessage());
        }
        slot = m.slot();
        m.replyTo().tell(new Done(slot));
        return stash.unstashAll(idle());
      }
      if (error instanceof StaleEpochException) {
        // Someone else's newer entry: re-read, then this change must be asked for again.
        m.replyTo().tell(new Rejected(id, "slot " + id + " changed concurrently, retry: " + error.getMessage()));
      } else {
        m.replyTo().tell(new Rejected(id, "slot " + id + ": publishing failed: " + error));
      }
      read();
      return loading();
    }

    private static Throwable unwrap(Throwable t) {
      return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Class<Replicator.GetResponse<LWWMap<Integer, SlotInfo>>> castGetResponse() {
      return (Class) Replicator.GetResponse.class;
    }
  }

  /** How long a caller should wait for a {@link Reply}: a majority write plus its margin. */
  public static Duration replyTimeout(TopologySettings settings) {
    return settings.askTimeout().plusSeconds(2);
  }
}
