package dev.rekko.slots;

import dev.rekko.slots.SlotEntity.AgentDrained;
import dev.rekko.slots.SlotEntity.AgentsListed;
import dev.rekko.slots.SlotEntity.Assign;
import dev.rekko.slots.SlotEntity.BarrierTick;
import dev.rekko.slots.SlotEntity.CancelMigration;
import dev.rekko.slots.SlotEntity.Command;
import dev.rekko.slots.SlotEntity.Done;
import dev.rekko.slots.SlotEntity.GetSlot;
import dev.rekko.slots.SlotEntity.Loaded;
import dev.rekko.slots.SlotEntity.Migrate;
import dev.rekko.slots.SlotEntity.Published;
import dev.rekko.slots.SlotEntity.ReadAgain;
import dev.rekko.slots.SlotEntity.Rejected;
import dev.rekko.slots.SlotEntity.Reply;
import dev.rekko.slots.SlotEntity.SourceEmpty;
import dev.rekko.slots.SlotEntity.StartMigration;
import dev.rekko.slots.SlotEntity.Wake;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.StaleEpochException;
import dev.rekko.topology.TopologyKeys;
import dev.rekko.topology.TopologySettings;
import dev.rekko.topology.TopologyWriteException;
import dev.rekko.topology.TopologyWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.typed.Cluster;

/** The behavior of {@link SlotEntity}: loading, idle, publishing one change, and taking a barrier. */
final class SlotBehavior {
  private static final Duration BARRIER_RETRY = Duration.ofSeconds(1);

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final StashBuffer<Command> stash;
  private final int id;
  private final TopologyWriter writer;
  private final TopologySettings settings;
  private SlotInfo slot;
  private BarrierRound round;
  // The barrier agents as the Receptionist last listed them; null until this actor first subscribed.
  private Set<ActorRef<Barrier.Request>> agents;

  SlotBehavior(ActorContext<Command> ctx, TimerScheduler<Command> timers, StashBuffer<Command> stash, int id,
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
        .onAnyMessage(this::stashIt)
        .build();
  }

  private Behavior<Command> idle() {
    return Behaviors.receive(Command.class)
        .onMessage(Assign.class, this::onAssign)
        .onMessage(Migrate.class, this::onMigrate)
        .onMessage(StartMigration.class, this::onStart)
        .onMessage(CancelMigration.class, this::onCancel)
        .onMessage(SourceEmpty.class, this::onSourceEmpty)
        .onMessage(GetSlot.class, this::onGetSlot)
        .onMessage(Wake.class, m -> Behaviors.same())
        .onMessage(AgentsListed.class, this::keepListing)
        .onMessage(AgentDrained.class, m -> Behaviors.same())
        .onMessage(BarrierTick.class, m -> Behaviors.same())
        .build();
  }

  /** While one change is being written: others wait their turn, reads are answered. */
  private Behavior<Command> publishing() {
    return Behaviors.receive(Command.class)
        .onMessage(Published.class, this::onPublished)
        .onMessage(GetSlot.class, this::onGetSlot)
        .onMessage(Wake.class, m -> Behaviors.same())
        .onMessage(AgentsListed.class, this::keepListing)
        .onMessage(AgentDrained.class, m -> Behaviors.same())
        .onMessage(BarrierTick.class, m -> Behaviors.same())
        .onAnyMessage(this::stashIt)
        .build();
  }

  /** At the barrier: every member is asked until all have answered, then the slot becomes MIGRATING. */
  private Behavior<Command> barrier() {
    return Behaviors.receive(Command.class)
        .onMessage(AgentsListed.class, this::onAgentsListed)
        .onMessage(AgentDrained.class, this::onAgentDrained)
        .onMessage(BarrierTick.class, m -> askAgents())
        .onMessage(GetSlot.class, this::onGetSlot)
        .onMessage(CancelMigration.class, this::onCancel)
        .onMessage(Wake.class, m -> Behaviors.same())
        .onAnyMessage(this::stashIt)
        .build();
  }

  private Behavior<Command> stashIt(Command m) {
    stash.stash(m);
    return Behaviors.same();
  }

  private Behavior<Command> onGetSlot(GetSlot m) {
    m.replyTo().tell(slot);
    return Behaviors.same();
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
            SlotInfo s = TopologyKeys.entry(ok.dataValue(), id);
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
    return stash.unstashAll(next());
  }

  private Behavior<Command> onAssign(Assign m) {
    if (m.group() <= 0) {
      return reject(m.replyTo(), "group id must be positive: " + m.group());
    }
    if (slot.state() == SlotState.OFFLINE) {
      return publish(SlotInfo.online(id, m.group(), epoch(m.minEpoch())), m.replyTo());
    }
    if (slot.state() == SlotState.ONLINE && slot.group() == m.group()) {
      m.replyTo().tell(new Done(slot));
      return Behaviors.same();
    }
    if (slot.state() == SlotState.ONLINE) {
      return reject(m.replyTo(), "slot " + id + " is online at group " + slot.group()
          + "; assign takes offline slots only, use migrate to move it");
    }
    return reject(m.replyTo(), describe());
  }

  private Behavior<Command> onMigrate(Migrate m) {
    if (m.target() <= 0) {
      return reject(m.replyTo(), "group id must be positive: " + m.target());
    }
    if (slot.state() == SlotState.ONLINE && slot.group() == m.target()) {
      m.replyTo().tell(new Done(slot));
      return Behaviors.same();
    }
    if (slot.state() == SlotState.ONLINE) {
      SlotState first = m.start() ? SlotState.PREPARING : SlotState.PENDING;
      return publish(new SlotInfo(id, first, slot.group(), m.target(), epoch(m.minEpoch())), m.replyTo());
    }
    if (slot.state() != SlotState.OFFLINE && slot.target() == m.target()) {
      m.replyTo().tell(new Done(slot));
      return Behaviors.same();
    }
    return reject(m.replyTo(), slot.state() == SlotState.OFFLINE
        ? "slot " + id + " is offline; assign it to a group instead of migrating it" : describe());
  }

  private Behavior<Command> onStart(StartMigration m) {
    if (slot.state() == SlotState.PENDING) {
      return publish(step(SlotState.PREPARING), m.replyTo());
    }
    if (slot.state().compareTo(SlotState.PENDING) > 0) {
      m.replyTo().tell(new Done(slot));
      return Behaviors.same();
    }
    return reject(m.replyTo(), "slot " + id + " has no pending migration");
  }

  private Behavior<Command> onCancel(CancelMigration m) {
    if (slot.state() == SlotState.PENDING) {
      return publish(SlotInfo.online(id, slot.group(), epoch(0)), m.replyTo());
    }
    return reject(m.replyTo(), slot.state().compareTo(SlotState.PENDING) > 0
        ? "slot " + id + " is " + describe() + "; a migration in progress cannot be rolled back"
        : "slot " + id + " has no pending migration");
  }

  private Behavior<Command> onSourceEmpty(SourceEmpty m) {
    if (slot.state() == SlotState.MIGRATING && slot.epoch() == m.epoch()) {
      // Straight to ONLINE at the target: a FINISHED step in between routed exactly as ONLINE does, and
      // every step rewrites the slot's whole 64-slot map on every node.
      return publish(SlotInfo.online(id, slot.target(), epoch(0)), null);
    }
    return Behaviors.same();
  }

  /**
   * What follows a published state: the migration goes on by itself until it rests. BARRIER and FINISHED
   * are no longer published (see {@link SlotEntity}); an entry an older node left at either still goes on.
   */
  private Behavior<Command> next() {
    return switch (slot.state()) {
      case PREPARING, BARRIER -> startBarrier();
      case FINISHED -> publish(SlotInfo.online(id, slot.target(), epoch(0)), null);
      default -> idle();
    };
  }

  private Behavior<Command> startBarrier() {
    var self = Cluster.get(ctx.getSystem()).selfMember().address();
    // A node holds the slot from PREPARING on, so its agent may answer once it has applied that step.
    round = new BarrierRound(slot.epoch(), self);
    if (agents == null) {
      // Once per actor: the Receptionist keeps a subscription until the subscriber stops.
      agents = Set.of();
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(Barrier.KEY,
          ctx.messageAdapter(Receptionist.Listing.class, AgentsListed::new)));
    } else {
      // Asked now, not at the first tick: that waited a whole BARRIER_RETRY on every barrier but an
      // actor's first (about 1 s of every slot's migration).
      round.agents(agents);
      sendAsks();
    }
    timers.startTimerWithFixedDelay(BarrierTick.class, new BarrierTick(), BARRIER_RETRY);
    ctx.getLog().atInfo().addKeyValue("group", slot.group()).addKeyValue("migration", slot.group() + "->" + slot.target())
        .log("slot {}: barrier at epoch {} ({} -> group {})", id, slot.epoch(), slot.group(), slot.target());
    return barrier();
  }

  private Behavior<Command> onAgentsListed(AgentsListed m) {
    keepListing(m);
    round.agents(agents);
    return askAgents();
  }

  private Behavior<Command> keepListing(AgentsListed m) {
    agents = m.listing().getServiceInstances(Barrier.KEY);
    return Behaviors.same();
  }

  /** An answer completes the round or waits for the others: asking them again is the tick's job. */
  private Behavior<Command> onAgentDrained(AgentDrained m) {
    if (m.drained().slot() == id && m.drained().epoch() == round.epoch) {
      round.answered(m.drained().node());
    }
    if (round.complete(Cluster.get(ctx.getSystem()).state().getMembers())) {
      return migrating();
    }
    return Behaviors.same();
  }

  private Behavior<Command> askAgents() {
    if (round.complete(Cluster.get(ctx.getSystem()).state().getMembers())) {
      return migrating();
    }
    sendAsks();
    return Behaviors.same();
  }

  private Behavior<Command> migrating() {
    timers.cancel(BarrierTick.class);
    round = null;
    return publish(step(SlotState.MIGRATING), null);
  }

  /** Asks the agents of the members that have not answered yet. */
  private void sendAsks() {
    ActorRef<Barrier.Drained> replyTo = ctx.messageAdapter(Barrier.Drained.class, AgentDrained::new);
    for (ActorRef<Barrier.Request> agent : round.toAsk(Cluster.get(ctx.getSystem()).state().getMembers())) {
      agent.tell(new Barrier.Request(id, round.epoch, replyTo));
    }
  }

  private Behavior<Command> publish(SlotInfo next, ActorRef<Reply> replyTo) {
    ctx.pipeToSelf(writer.putSlot(next, slot.epoch()), (done, error) -> new Published(next, replyTo, error));
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
      if (m.replyTo() != null) {
        m.replyTo().tell(new Done(slot));
      }
      return stash.unstashAll(next());
    }
    if (m.replyTo() != null) {
      m.replyTo().tell(new Rejected(id, error instanceof StaleEpochException
          ? "slot " + id + " changed concurrently, retry: " + error.getMessage()
          : "slot " + id + ": publishing failed: " + error));
    }
    // Someone else's newer entry, or a failed write: re-read and go on from what is published.
    read();
    return loading();
  }

  /** The slot at the next step of its migration, with a new epoch. */
  private SlotInfo step(SlotState state) {
    return new SlotInfo(id, state, slot.group(), slot.target(), epoch(0));
  }

  private long epoch(long minEpoch) {
    return Math.max(minEpoch, slot.epoch() + 1);
  }

  private Behavior<Command> reject(ActorRef<Reply> replyTo, String reason) {
    replyTo.tell(new Rejected(id, reason));
    return Behaviors.same();
  }

  private String describe() {
    return "slot " + id + " is " + slot.state().name().toLowerCase(Locale.ROOT) + " from group " + slot.group()
        + " to group " + slot.target();
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Class<Replicator.GetResponse<LWWMap<Integer, SlotInfo>>> castGetResponse() {
    return (Class) Replicator.GetResponse.class;
  }
}
