package dev.rekko.topology;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.SelfUp;

/**
 * The node's copy of the topology: subscribes to every topology key, keeps the merged {@link Topology},
 * and tells its subscribers (and the callback given at creation) about every change. One per node.
 *
 * <p><b>Loaded.</b> Once this node's member is Up ({@code SelfUp}), the replica sends one {@code Get} per
 * key with {@code rekko.topology.initial-read} (majority by default), retrying failed ones. The Replicator
 * answers Gets only after it has loaded its durable store, so every answer includes what this node had
 * on disk; a majority read also includes what the majority of members holds, so a node that joins with
 * an empty data folder does not pass for loaded with an empty table. The topology is {@code loaded} once
 * every key has answered, found or not found. Nothing is published before that; from then on every
 * change is published, in order (changes that arrive together as one). Waiting for Up matters: before
 * it the Replicator knows no other member and a majority read would be a local one.
 *
 * <p><b>Hints.</b> Slot writes a majority confirmed on this node ({@link SlotsWritten}, from the event
 * stream) are laid over the Distributed Data copy at once and sent to every other node's replica
 * ({@link Hint}), which does the same: see {@link SlotHints}.
 */
public final class TopologyReplica {

  public interface Command {}

  /** Replies with the current topology, loaded or not. */
  public record GetTopology(ActorRef<Topology> replyTo) implements Command, TopologySerializable {}

  /** Sends the current topology once loaded, then every change; ends when the subscriber stops. */
  public record Subscribe(ActorRef<Topology> subscriber) implements Command, TopologySerializable {}

  public record Unsubscribe(ActorRef<Topology> subscriber) implements Command, TopologySerializable {}

  /** Published on this node's event stream by {@link TopologyWriter} once a majority confirmed these slots. */
  public record SlotsWritten(List<SlotInfo> slots) implements Command, NoSerializationVerificationNeeded {}

  /** Slots another node's writer had confirmed by a majority, sent by that node's replica. */
  public record Hint(List<SlotInfo> slots) implements Command, TopologySerializable {}

  /** Every node's replica, for hints. */
  public static final ServiceKey<Hint> PEERS = ServiceKey.create(Hint.class, "rekko-topology-replica");

  private record PeersListed(Receptionist.Listing listing) implements Command, NoSerializationVerificationNeeded {}

  private record KeyChanged(Replicator.SubscribeResponse<LWWMap<Object, Object>> rsp)
      implements Command, NoSerializationVerificationNeeded {}

  private record KeyRead(Key<?> key, Replicator.GetResponse<?> rsp, Throwable error)
      implements Command, NoSerializationVerificationNeeded {}

  private record ReadAgain(Key<?> key) implements Command, NoSerializationVerificationNeeded {}

  private record SelfIsUp(SelfUp up) implements Command, NoSerializationVerificationNeeded {}

  private record ReplicaCount(int count, Throwable error) implements Command, NoSerializationVerificationNeeded {}

  private record CountAgain() implements Command, NoSerializationVerificationNeeded {}

  /** Sent to itself after a change: the changes already queued before it are published as one. */
  private record Rebuild() implements Command, NoSerializationVerificationNeeded {}

  private static final Duration HINT_BATCH = Duration.ofMillis(10);

  private record SubscriberGone(ActorRef<Topology> subscriber)
      implements Command, NoSerializationVerificationNeeded {}

  /**
   * Supervised: after an exception the replica starts afresh (subscribes to the keys again, reads them
   * again, publishes once loaded), keeping only its subscribers, who asked once and count on every
   * change from then on.
   *
   * @param onChange called on the replica's thread with every published topology; it must be quick and
   *                 must not block (the routing table swaps a reference in it)
   */
  public static Behavior<Command> create(Consumer<Topology> onChange, TopologySettings settings) {
    return Behaviors.setup(outer -> {
      Set<ActorRef<Topology>> subscribers = new HashSet<>();
      return Behaviors.supervise(Behaviors.<Command>setup(ctx -> Behaviors.withTimers(timers ->
              new TopologyReplica(ctx, timers, onChange, settings, subscribers).behavior())))
          .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 0.2));
    });
  }

  /** Makes the replica fail, as an unexpected exception would: for tests of its supervision. */
  record Fail() implements Command, NoSerializationVerificationNeeded {}

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final Consumer<Topology> onChange;
  private final TopologySettings settings;
  private final ActorRef<Replicator.Command> replicator;
  private final Map<String, LWWMap<?, ?>> data = new HashMap<>();
  private final Set<String> read = new HashSet<>();
  private final Set<String> changed = new HashSet<>();
  private final Set<ActorRef<Topology>> subscribers;
  private final SlotHints hints = new SlotHints();
  private Set<ActorRef<Hint>> peers = Set.of();
  private Topology current = Topology.EMPTY;
  private Topology published;
  private int countTries;
  private boolean rebuildQueued;

  private TopologyReplica(ActorContext<Command> ctx, TimerScheduler<Command> timers,
      Consumer<Topology> onChange, TopologySettings settings, Set<ActorRef<Topology>> subscribers) {
    this.ctx = ctx;
    this.timers = timers;
    this.onChange = onChange;
    this.settings = settings;
    this.subscribers = subscribers;
    // After a restart: the same watches (and the same message), so a subscriber that stops is still dropped.
    subscribers.forEach(s -> ctx.watchWith(s, new SubscriberGone(s)));
    this.replicator = DistributedData.get(ctx.getSystem()).replicator();
    // One adapter for every key: message adapters are per message class, so several adapters would
    // replace each other's function; KeyChanged carries the key and onKeyChanged dispatches on it.
    ReplicatorMessageAdapter<Command, LWWMap<Object, Object>> adapter =
        new ReplicatorMessageAdapter<>(ctx, replicator, settings.askTimeout());
    for (Key<?> key : TopologyKeys.all()) {
      adapter.subscribe(untyped(key), KeyChanged::new);
    }
    ctx.getSystem().receptionist().tell(Receptionist.register(PEERS, ctx.getSelf().narrow()));
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(PEERS,
        ctx.messageAdapter(Receptionist.Listing.class, PeersListed::new)));
    ctx.getSystem().eventStream().tell(new EventStream.Subscribe<>(SlotsWritten.class, ctx.getSelf().narrow()));
    Cluster.get(ctx.getSystem()).subscriptions().tell(
        org.apache.pekko.cluster.typed.Subscribe.create(ctx.messageAdapter(SelfUp.class, SelfIsUp::new),
            SelfUp.class));
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(GetTopology.class, this::onGetTopology)
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, this::onUnsubscribe)
        .onMessage(SubscriberGone.class, m -> onUnsubscribe(new Unsubscribe(m.subscriber())))
        .onMessage(KeyChanged.class, this::onKeyChanged)
        .onMessage(KeyRead.class, this::onKeyRead)
        .onMessage(SlotsWritten.class, this::onSlotsWritten)
        .onMessage(Hint.class, m -> onHint(m.slots()))
        .onMessage(PeersListed.class, m -> {
          peers = m.listing().getServiceInstances(PEERS);
          return Behaviors.same();
        })
        .onMessage(ReadAgain.class, this::onReadAgain)
        .onMessage(SelfIsUp.class, this::onSelfUp)
        .onMessage(ReplicaCount.class, this::onReplicaCount)
        .onMessage(Rebuild.class, m -> {
          rebuildQueued = false;
          rebuild();
          return Behaviors.same();
        })
        .onMessage(CountAgain.class, m -> {
          askReplicaCount();
          return Behaviors.same();
        })
        .onMessage(Fail.class, m -> {
          throw new IllegalStateException("told to fail");
        })
        .build();
  }

  private Behavior<Command> onGetTopology(GetTopology m) {
    m.replyTo().tell(current);
    return Behaviors.same();
  }

  private Behavior<Command> onSubscribe(Subscribe m) {
    if (subscribers.add(m.subscriber())) {
      ctx.watchWith(m.subscriber(), new SubscriberGone(m.subscriber()));
      if (published != null) {
        m.subscriber().tell(published);
      }
    }
    return Behaviors.same();
  }

  private Behavior<Command> onUnsubscribe(Unsubscribe m) {
    if (subscribers.remove(m.subscriber())) {
      ctx.unwatch(m.subscriber());
    }
    return Behaviors.same();
  }

  private Behavior<Command> onKeyChanged(KeyChanged m) {
    if (m.rsp() instanceof Replicator.Changed<LWWMap<Object, Object>> c) {
      String id = c.key().id();
      changed.add(id);
      data.put(id, c.dataValue());
      // The Replicator sends the keys changed in one interval as separate messages; during a migration of
      // many slots that is most of the 16 slot keys at once, and every build publishes a whole topology
      // to the routing table, the slot actors and the movers.
      queueRebuild();
    }
    return Behaviors.same();
  }

  private void queueRebuild() {
    if (!rebuildQueued) {
      rebuildQueued = true;
      ctx.getSelf().tell(new Rebuild());
    }
  }

  private Behavior<Command> onSlotsWritten(SlotsWritten m) {
    Hint hint = new Hint(List.copyOf(m.slots()));
    for (ActorRef<Hint> peer : peers) {
      if (!peer.equals(ctx.getSelf())) {
        peer.tell(hint);
      }
    }
    return onHint(hint.slots());
  }

  /**
   * Hints arrive one batch of slot writes at a time, from every node, hundreds a second while many slots
   * migrate; each build publishes a whole topology to the routing table, the movers and the coordinator.
   * So a hint's build waits {@link #HINT_BATCH} for the hints right behind it.
   */
  private Behavior<Command> onHint(List<SlotInfo> slots) {
    if (hints.add(slots) && !rebuildQueued) {
      rebuildQueued = true;
      timers.startSingleTimer(new Rebuild(), HINT_BATCH);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onKeyRead(KeyRead m) {
    String id = m.key().id();
    if (m.error() != null || m.rsp() instanceof Replicator.GetFailure) {
      ctx.getLog().debug("first read of {} failed, retrying in {}", id, settings.readRetry());
      timers.startSingleTimer(new ReadAgain(m.key()), settings.readRetry());
      return Behaviors.same();
    }
    // A Changed seen before this answer is at least as new as it: the Replicator applies a majority
    // read's result locally (and notifies) before the Get is answered, and a local Get's answer may
    // arrive after a Changed sent later.
    if (m.rsp() instanceof Replicator.GetSuccess<?> s && !changed.contains(id)) {
      data.put(id, (LWWMap<?, ?>) s.dataValue());
    }
    read.add(id);
    rebuild();
    return Behaviors.same();
  }

  private Behavior<Command> onSelfUp(SelfIsUp m) {
    askReplicaCount();
    return Behaviors.same();
  }

  /**
   * The Replicator learns members from cluster events of its own, a little after this node saw itself Up:
   * until it counts every Up member, a majority read would be taken among fewer nodes than the cluster has
   * (in a two-node cluster, among itself alone) and could miss what the others hold.
   */
  private void askReplicaCount() {
    ctx.ask(Replicator.ReplicaCount.class, replicator, settings.askTimeout(),
        Replicator.GetReplicaCount::new, (rsp, error) -> new ReplicaCount(rsp == null ? 0 : rsp.n(), error));
  }

  private Behavior<Command> onReplicaCount(ReplicaCount m) {
    var state = Cluster.get(ctx.getSystem()).state();
    int up = 0;
    for (var member : state.getMembers()) {
      boolean reachable = !state.getUnreachable().contains(member);
      up += member.status() == org.apache.pekko.cluster.MemberStatus.up() && reachable ? 1 : 0;
    }
    // Bounded: after a few seconds the reads go ahead with what the Replicator knows.
    if ((m.error() != null || m.count() < up) && countTries++ < 100) {
      timers.startSingleTimer(new CountAgain(), java.time.Duration.ofMillis(50));
      return Behaviors.same();
    }
    TopologyKeys.all().forEach(this::readKey);
    return Behaviors.same();
  }

  private Behavior<Command> onReadAgain(ReadAgain m) {
    readKey(m.key());
    return Behaviors.same();
  }

  private void readKey(Key<?> key) {
    // ctx.ask rather than the adapter's askGet: an ask timeout (e.g. a slow durable load) must become a
    // retry, not an exception that stops the replica.
    Duration timeout = settings.askTimeout();
    ctx.ask(getResponseClass(), replicator, timeout,
        replyTo -> new Replicator.Get<>(untyped(key), settings.initialRead(), replyTo),
        (rsp, error) -> new KeyRead(key, rsp, error));
  }

  private void rebuild() {
    boolean loaded = read.size() == TopologyKeys.all().size();
    current = build(loaded);
    if (loaded && !current.equals(published)) {
      published = current;
      try {
        onChange.accept(current);
      } catch (RuntimeException e) {
        ctx.getLog().error("topology callback failed", e);
      }
      subscribers.forEach(s -> s.tell(current));
    }
  }

  private Topology build(boolean loaded) {
    SortedMap<Integer, GroupInfo> groups = new TreeMap<>(entries(TopologyKeys.GROUPS));
    var slots = Topology.offlineSlots();
    for (Key<LWWMap<Integer, SlotInfo>> key : TopologyKeys.slotKeys()) {
      entries(key).values().forEach(s -> slots.set(s.id(), s));
    }
    hints.overlay(slots);
    SortedMap<String, NodeInfo> nodes = new TreeMap<>(entries(TopologyKeys.NODES));
    Map<String, Long> meta = entries(TopologyKeys.META);
    long epoch = meta.getOrDefault(TopologyKeys.META_EPOCH, 0L);
    boolean bootstrapped = meta.containsKey(TopologyKeys.META_BOOTSTRAPPED);
    return new Topology(epoch, groups, slots, nodes, bootstrapped, loaded,
        meta.getOrDefault(TopologyKeys.META_MIGRATIONS_PAUSED, 0L) != 0,
        meta.getOrDefault(TopologyKeys.META_MOVER_THROTTLE, 0L));
  }

  @SuppressWarnings("unchecked")
  private <K, V> Map<K, V> entries(Key<LWWMap<K, V>> key) {
    LWWMap<K, V> map = (LWWMap<K, V>) data.get(key.id());
    return map == null ? Map.of() : map.getEntries();
  }

  // The keys hold different LWWMap types; the Replicator and the adapter only need one static type.
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Key<LWWMap<Object, Object>> untyped(Key<?> key) {
    return (Key) key;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Class<Replicator.GetResponse<LWWMap<Object, Object>>> getResponseClass() {
    return (Class) Replicator.GetResponse.class;
  }
}
