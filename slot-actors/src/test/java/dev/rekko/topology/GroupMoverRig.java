package dev.rekko.topology;

import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.slots.GroupMover;
import dev.rekko.slots.SlotEntity;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/**
 * A group mover's surroundings on node 0 of a {@link TestCluster}: the topology with group 1 (the source)
 * and group 2 (the target) written, and, in place of the slot actors, a queue of what the mover tells them.
 */
final class GroupMoverRig {
  final ActorSystem<?> system;
  final TopologyWriter writer;
  /** What the mover told the slot actors, in order. */
  final BlockingQueue<SlotEntity.Command> told = new LinkedBlockingQueue<>();
  private final ActorRef<TopologyReplica.Command> replica;
  private final ActorRef<ShardingEnvelope<SlotEntity.Command>> slots;

  GroupMoverRig(TestCluster cluster, RedisServer source, RedisServer target) throws Exception {
    system = cluster.system(0);
    replica = system.systemActorOf(TopologyReplica.create(t -> { }, TestCluster.TOPOLOGY), "topology", Props.empty());
    writer = new TopologyWriter(system, TestCluster.TOPOLOGY);
    writer.putGroup(new GroupInfo(1, List.of(ServerInfo.master(source.address())), false, 1))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    writer.putGroup(new GroupInfo(2, List.of(ServerInfo.master(target.address())), false, 2))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    slots = system.systemActorOf(
        Behaviors.<ShardingEnvelope<SlotEntity.Command>>receiveMessage(e -> {
          told.add(e.message());
          return Behaviors.same();
        }), "slots", Props.empty());
  }

  /** Group 1's mover, telling {@link #told}. */
  void startMover() {
    system.systemActorOf(GroupMover.create(1, replica, slots, TestCluster.MOVER), "mover-1", Props.empty());
  }

  /** The first of "t0", "t1", ... whose slot is {@code slot}. */
  static String tagOf(int slot) {
    String tag = "t0";
    for (int n = 1; SlotHash.slot(tag) != slot; n++) {
      tag = "t" + n;
    }
    return tag;
  }

  /** {@code n} keys {@code {tag}:0}, {@code {tag}:1}, ... on the server. */
  static void fill(RedisServer server, String tag, int n) throws IOException {
    try (LocalRedisClient s = server.client()) {
      for (int i = 0; i < n; i++) {
        s.ok("SET", "{" + tag + "}:" + i, "v");
      }
    }
  }
}
