package dev.rekko.slots;

import dev.rekko.protocol.SlotHash;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologyReplica;
import dev.rekko.topology.TopologyWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * Starts the slot entities' shard region on a node. Entity id = slot number; 16 shards of 64
 * consecutive slots. Every node runs the region (all nodes are identical). Remember-entities keeps the
 * 1024 entities alive once woken, and restarts them on another node when theirs leaves.
 *
 * <p>One shard per slot key of the topology ({@link dev.rekko.topology.TopologyKeys#slotKeyIndex}): the 64
 * slots of a key then live on one node, whose writer puts their steps in one update of that key. With 64
 * shards a key's slots sat on up to three nodes, which wrote the key separately and each merged the
 * others' writes: moving 1024 empty slots took about 1.4 times as long.
 *
 * <p>Versions before 2026-12-07 had 64 shards of 16 slots. While a cluster runs both, a slot can have an
 * actor under each mapping; the newer one refuses to write from a view older than its node's replica
 * ({@link TopologyWriter#putSlot}), but start no migration until every node runs the new version.
 */
public final class SlotSharding {
  /** Shards: one per slot key of the topology, which still spreads the 1024 entities over many nodes. */
  public static final int SHARDS = 16;

  private SlotSharding() {}

  public static ActorRef<ShardingEnvelope<SlotEntity.Command>> init(ActorSystem<?> system, TopologyWriter writer) {
    return ClusterSharding.get(system).init(
        Entity.of(SlotEntity.TYPE_KEY, ctx -> SlotEntity.create(Integer.parseInt(ctx.getEntityId()), writer))
            .withMessageExtractor(new Extractor())
            .withSettings(remembering(system)));
  }

  /**
   * Starts the movers' shard region (entity id = source group id). Movers live as long as a migration
   * needs them: woken by the coordinator, kept alive by remember-entities, idle when nothing leaves.
   */
  public static ActorRef<ShardingEnvelope<GroupMover.Command>> initMovers(ActorSystem<?> system,
      ActorRef<TopologyReplica.Command> replica, ActorRef<ShardingEnvelope<SlotEntity.Command>> slots,
      GroupMoverSettings settings) {
    return ClusterSharding.get(system).init(Entity.of(GroupMover.TYPE_KEY,
        ctx -> GroupMover.create(Integer.parseInt(ctx.getEntityId()), replica, slots, settings))
        .withSettings(remembering(system)));
  }

  /**
   * Remember-entities, set here rather than in reference.conf: Pekko's own reference.conf says
   * {@code remember-entities = off}, and where several reference.conf files are concatenated (the shaded
   * jar) the later one wins. Without it the entities of a node that crashed were never started again
   * elsewhere, and their migrations stayed at PREPARING or BARRIER for good.
   */
  static ClusterShardingSettings remembering(ActorSystem<?> system) {
    return ClusterShardingSettings.create(system)
        .withRememberEntities(true)
        .withRememberEntitiesStoreMode(ClusterShardingSettings.rememberEntitiesStoreModeDdata());
  }

  public static ShardingEnvelope<GroupMover.Command> moverEnvelope(int group, GroupMover.Command command) {
    return new ShardingEnvelope<>(Integer.toString(group), command);
  }

  /** Wakes all 1024 entities (idempotent); with remember-entities they then stay up. */
  public static void wakeAll(ActorRef<ShardingEnvelope<SlotEntity.Command>> region) {
    for (int s = 0; s < SlotHash.SLOTS; s++) {
      region.tell(envelope(s, new SlotEntity.Wake()));
    }
  }

  public static ShardingEnvelope<SlotEntity.Command> envelope(int slot, SlotEntity.Command command) {
    return new ShardingEnvelope<>(Integer.toString(slot), command);
  }

  /**
   * Sharding's own Distributed Data (the remembered entities and the shard allocation) is kept in memory
   * only, replicated to every node: that is what restarts a crashed node's entities elsewhere. It is not
   * written to LMDB: every coordinator that starts wakes all slot actors, and the movers of every group
   * that slots leave (see the coordinator's MigrationControl), so a full-cluster restart needs nothing
   * remembered on disk; and a durable remember-entities store commits (fsync) for each entity started,
   * which on a busy disk held shards for seconds ("Remember entity store did not respond"). The folder
   * is still set under the node's data directory, in case durable keys are configured: Pekko's default
   * folder name ends with {@code ddata}, to which it appends the system name and port.
   */
  public static Config durableStoreConfig(Path dataDir) {
    return ConfigFactory.parseMap(Map.of(
        "pekko.cluster.sharding.distributed-data.durable.keys", List.of(),
        "pekko.cluster.sharding.distributed-data.durable.lmdb.dir", dataDir.resolve("sharding").toString()));
  }

  static final class Extractor extends ShardingMessageExtractor<ShardingEnvelope<SlotEntity.Command>, SlotEntity.Command> {
    @Override
    public String entityId(ShardingEnvelope<SlotEntity.Command> envelope) {
      return envelope.entityId();
    }

    @Override
    public String shardId(String entityId) {
      return Integer.toString(Integer.parseInt(entityId) * SHARDS / SlotHash.SLOTS);
    }

    @Override
    public SlotEntity.Command unwrapMessage(ShardingEnvelope<SlotEntity.Command> envelope) {
      return envelope.message();
    }
  }
}
