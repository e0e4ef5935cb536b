package dev.rekko.coordinator;

import dev.rekko.slots.SlotEntity;
import dev.rekko.slots.GroupMover;
import dev.rekko.topology.TopologyReplica;
import dev.rekko.topology.TopologyWriter;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Runs the coordinator as a cluster singleton: every node calls {@link #init} with its own replica,
 * writer and slot region; the oldest node runs the coordinator with its arguments, and when it leaves or
 * dies the next oldest takes over, starting from the replicated topology. Operations sent to the proxy
 * meanwhile are buffered by it (up to Pekko's singleton proxy buffer) or time out at the caller.
 */
public final class CoordinatorSingleton {
  public static final String NAME = "rekko-coordinator";

  private CoordinatorSingleton() {}

  /** Starts (or joins) the singleton and returns this node's proxy to it. Idempotent per system. */
  public static ActorRef<Coordinator.Command> init(ActorSystem<?> system, CoordinatorSettings settings,
      ActorRef<TopologyReplica.Command> replica, TopologyWriter writer,
      ActorRef<ShardingEnvelope<SlotEntity.Command>> slots, ActorRef<ShardingEnvelope<GroupMover.Command>> movers) {
    // A crashed coordinator comes back (a singleton that stops is not restarted by the manager); the
    // backoff keeps a failure that repeats, e.g. on every start, from spinning.
    var supervised = Behaviors.supervise(Coordinator.create(settings, replica, writer, slots, movers))
        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
    return ClusterSingleton.get(system).init(SingletonActor.of(supervised, NAME));
  }
}
