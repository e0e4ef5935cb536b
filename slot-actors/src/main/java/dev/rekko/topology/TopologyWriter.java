package dev.rekko.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * Writes topology entries through the node's Replicator. Each call completes when the Replicator answers:
 * normally on {@code UpdateSuccess}; with {@link StaleEpochException} when the entry already has a newer
 * epoch here (nothing written); with {@link TopologyWriteException} when the consistency was not reached
 * in time or the durable store failed (then the write was applied locally and still spreads).
 *
 * <p>Who writes what: the coordinator writes groups and the meta entries, a slot actor its own slot, each
 * node its own {@link NodeInfo}. Thread-safe; one instance per node is enough.
 */
public final class TopologyWriter {
  private final ActorSystem<?> system;
  private final ActorRef<Replicator.Command> replicator;
  private final SelfUniqueAddress self;
  private final TopologySettings settings;
  private final SlotWriteBatcher slotBatcher;
  /**
   * How long a slot key's first write waits for the rest of its burst. Measured on the three-node demo
   * (1024 empty slots there and back, alternating runs): 5 ms took 0.13–0.37 s off a move and used less
   * CPU; a hop to another thread and 2 ms did not help reliably. See docs/architecture.md, Decisions.
   */
  static final long SLOT_GATHER_MILLIS = 5;

  public TopologyWriter(ActorSystem<?> system, TopologySettings settings) {
    this.system = system;
    this.replicator = DistributedData.get(system).replicator();
    this.self = DistributedData.get(system).selfUniqueAddress();
    this.settings = settings;
    this.slotBatcher = new SlotWriteBatcher(
        (key, modify) -> update(key, settings.slotWrites(), modify),
        (map, keyId, slot, basedOn) -> TopologyKeys.putVersioned(
            TopologyKeys.requireUnchangedSince(map, keyId, slot, basedOn), self, keyId, slot.id(), slot),
        slots -> system.eventStream().tell(new EventStream.Publish<>(new TopologyReplica.SlotsWritten(slots))),
        CompletableFuture.delayedExecutor(SLOT_GATHER_MILLIS, TimeUnit.MILLISECONDS));
  }

  public TopologySettings settings() {
    return settings;
  }

  public CompletionStage<Done> putGroup(GroupInfo group) {
    return putGroup(group, settings.groupWrites());
  }

  public CompletionStage<Done> putGroup(GroupInfo group, Replicator.WriteConsistency consistency) {
    return putGroups(List.of(group), consistency);
  }

  public CompletionStage<Done> putGroups(List<GroupInfo> groups) {
    return putGroups(groups, settings.groupWrites());
  }

  /** Writes several groups in one update: all or nothing (one stale group fails them all). */
  public CompletionStage<Done> putGroups(List<GroupInfo> groups, Replicator.WriteConsistency consistency) {
    String keyId = TopologyKeys.GROUPS.id();
    return update(TopologyKeys.GROUPS, consistency, map -> {
      LWWMap<Integer, GroupInfo> next = map;
      for (GroupInfo g : groups) {
        next = TopologyKeys.putVersioned(next, self, keyId, g.id(), g);
      }
      return next;
    });
  }

  /**
   * Removes a group at {@code epoch}, which must beat the group's own epoch and becomes the cluster's
   * epoch high-water mark, so {@link Topology#epoch()} does not drop when the newest entry goes away. The
   * caller checks that the group owns no slots. Removing a group that is not there only raises the mark.
   */
  public CompletionStage<Done> removeGroup(int id, long epoch) {
    String keyId = TopologyKeys.GROUPS.id();
    // Removal first: a node that sees the raised mark must not be able to acknowledge it without the
    // removal, at least on the majority that confirmed the removal.
    return update(TopologyKeys.GROUPS, settings.groupWrites(), map -> {
      GroupInfo current = TopologyKeys.entry(map, id);
      if (current == null) {
        return map;
      }
      if (current.epoch() >= epoch) {
        throw new StaleEpochException(keyId, id, epoch, current.epoch());
      }
      return map.remove(self, id);
    }).thenCompose(done -> raiseEpoch(epoch));
  }

  public CompletionStage<Done> putSlots(List<SlotInfo> slots) {
    return putSlots(slots, settings.slotWrites());
  }

  /**
   * Writes one slot (what a slot actor does at each step), batched with the other slots of its key that
   * this node writes at the same time (see {@link SlotWriteBatcher}). {@code basedOn} is the epoch of the
   * entry the writer decided from. Fails with {@link StaleEpochException} when the entry here is newer than
   * that (a second actor for the slot, with an older view, then re-reads instead of writing a step decided
   * from it; see {@link dev.rekko.slots.SlotSharding}), or has {@code slot}'s epoch or a later one with other
   * content. Writing the same {@code slot} again succeeds.
   */
  public CompletionStage<Done> putSlot(SlotInfo slot, long basedOn) {
    return slotBatcher.put(slot, basedOn);
  }

  /**
   * Writes slots with one Update per slot key they fall in. Each key is all-or-nothing (a stale slot
   * fails its whole key); different keys are independent, so after a failure some keys may be written.
   */
  public CompletionStage<Done> putSlots(List<SlotInfo> slots, Replicator.WriteConsistency consistency) {
    Map<Integer, List<SlotInfo>> byKey = new TreeMap<>();
    for (SlotInfo s : slots) {
      byKey.computeIfAbsent(TopologyKeys.slotKeyIndex(s.id()), k -> new ArrayList<>()).add(s);
    }
    List<CompletableFuture<Done>> writes = new ArrayList<>();
    byKey.forEach((index, part) -> {
      Key<LWWMap<Integer, SlotInfo>> key = TopologyKeys.slotKeys().get(index);
      writes.add(update(key, consistency, map -> {
        LWWMap<Integer, SlotInfo> next = map;
        for (SlotInfo s : part) {
          next = TopologyKeys.putVersioned(next, self, key.id(), s.id(), s);
        }
        return next;
      }).toCompletableFuture());
    });
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .thenApply(v -> Done.getInstance());
  }

  /**
   * Writes this node's own entry. Node entries use Pekko's default wall clock, not an epoch: a node
   * changes state without changing {@code appliedEpoch}, and a restarted node reports a lower one; its
   * single writer makes the wall clock (which never goes back per writer) sufficient.
   */
  public CompletionStage<Done> putNode(NodeInfo node) {
    return update(TopologyKeys.NODES, settings.nodeWrites(), map -> map.put(self, node.address(), node));
  }

  /** Forgets a node that left for good; only the coordinator should call it, for a removed member. */
  public CompletionStage<Done> removeNode(String address) {
    return update(TopologyKeys.NODES, settings.nodeWrites(), map -> map.remove(self, address));
  }

  /** Records that the cluster was seeded at {@code epoch}; later calls keep the highest epoch. */
  public CompletionStage<Done> markBootstrapped(long epoch) {
    return update(TopologyKeys.META, settings.metaWrites(), map -> TopologyKeys.raise(
        TopologyKeys.raise(map, self, TopologyKeys.META_BOOTSTRAPPED, epoch), self, TopologyKeys.META_EPOCH,
        epoch));
  }

  /** Records whether migrations are paused and the movers' throttle, for every later coordinator. */
  public CompletionStage<Done> putMigrationControls(boolean paused, long maxKeysPerSecond) {
    return update(TopologyKeys.META, settings.metaWrites(), map -> TopologyKeys.set(
        TopologyKeys.set(map, self, TopologyKeys.META_MIGRATIONS_PAUSED, paused ? 1 : 0), self,
        TopologyKeys.META_MOVER_THROTTLE, Math.max(0, maxKeysPerSecond)));
  }

  /** Raises the cluster's epoch high-water mark. */
  public CompletionStage<Done> raiseEpoch(long epoch) {
    return update(TopologyKeys.META, settings.metaWrites(),
        map -> TopologyKeys.raise(map, self, TopologyKeys.META_EPOCH, epoch));
  }

  private <K, V> CompletionStage<Done> update(Key<LWWMap<K, V>> key, Replicator.WriteConsistency consistency,
      Function<LWWMap<K, V>, LWWMap<K, V>> modify) {
    CompletionStage<Replicator.UpdateResponse<LWWMap<K, V>>> answer = AskPattern.ask(replicator,
        replyTo -> new Replicator.Update<>(key, LWWMap.create(), consistency, replyTo, modify),
        settings.askTimeout(), system.scheduler());
    return answer.handle((rsp, error) -> {
      if (error != null) {
        throw new TopologyWriteException("no answer from the Replicator for " + key.id() + " within "
            + settings.askTimeout(), error);
      }
      if (rsp instanceof Replicator.UpdateSuccess) {
        return Done.getInstance();
      }
      if (rsp instanceof Replicator.ModifyFailure<?> failure) {
        if (failure.cause() instanceof RuntimeException e) {
          throw e;
        }
        throw new TopologyWriteException("update of " + key.id() + " failed: " + failure.errorMessage(),
            failure.cause());
      }
      if (rsp instanceof Replicator.UpdateTimeout) {
        throw new TopologyWriteException("update of " + key.id() + " was not confirmed by "
            + describe(consistency) + "; it is applied on this node and may still spread");
      }
      if (rsp instanceof Replicator.StoreFailure) {
        throw new TopologyWriteException("update of " + key.id() + " could not be stored durably");
      }
      throw new TopologyWriteException("update of " + key.id() + " failed: " + rsp);
    });
  }

  private static String describe(Replicator.WriteConsistency c) {
    if (c instanceof Replicator.WriteMajority m) {
      return "a majority within " + m.timeout();
    }
    if (c instanceof Replicator.WriteAll a) {
      return "all nodes within " + a.timeout();
    }
    return String.valueOf(c);
  }
}
