package dev.rekko.coordinator;

import dev.rekko.slots.Barrier;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * Each member's barrier agent as far as the coordinator sees it (registered under {@link
 * Barrier#GROUP_KEY}): it records every {@link Barrier.GroupRequest} and answers it at once with
 * {@link Barrier.GroupHeld}, unless its member is muted. The node side's real agent answers only once its
 * routing holds the group (and, with drain, nothing it sent to the old master can still run there).
 */
final class FakeGroupAgents {
  final List<Barrier.GroupRequest> requests = new CopyOnWriteArrayList<>();
  final Set<String> answered = ConcurrentHashMap.newKeySet();
  final Set<String> mute = ConcurrentHashMap.newKeySet();

  /** Starts one agent per member and waits until every member's Receptionist lists them all. */
  FakeGroupAgents(CoordinatorCluster cluster) {
    for (CoordinatorCluster.Node n : cluster.nodes) {
      n.system().systemActorOf(agent(HealthReporters.name(n)), "group-agent", Props.empty());
    }
    CoordinatorCluster.await("every agent listed on every member", () -> cluster.nodes.stream()
        .allMatch(n -> listed(n) == cluster.nodes.size()));
  }

  private Behavior<Barrier.GroupRequest> agent(String node) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(Barrier.GROUP_KEY, ctx.getSelf()));
      return Behaviors.receiveMessage(r -> {
        requests.add(r);
        if (!mute.contains(node)) {
          answered.add(node);
          r.replyTo().tell(new Barrier.GroupHeld(node, r.group(), r.epoch()));
        }
        return Behaviors.same();
      });
    });
  }

  private static int listed(CoordinatorCluster.Node node) {
    try {
      Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(
          node.system().receptionist(), r -> Receptionist.find(Barrier.GROUP_KEY, r), Duration.ofSeconds(3),
          node.system().scheduler()).toCompletableFuture().get();
      return listing.getServiceInstances(Barrier.GROUP_KEY).size();
    } catch (Exception e) {
      return 0;
    }
  }
}
