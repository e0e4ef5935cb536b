package dev.rekko.node.proxy;

import dev.rekko.slots.Barrier;
import dev.rekko.slots.SlotEntity;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.SlotInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Migration and master-switch steps done by hand on a {@link ProxyFixture}'s node, as the coordinator and
 * slot actors would do them: topology writes, the node's barrier agent asked directly. Tests of the data
 * path use it to stop between two steps (its migrations are paused, {@link ProxyFixture#pauseMigrations}).
 */
final class ByHand {
  static final Duration WAIT = Duration.ofSeconds(30);

  private final ProxyFixture fx;

  ByHand(ProxyFixture fx) {
    this.fx = fx;
  }

  /**
   * Writes slot routes to the topology (a majority confirmed), once each slot's actor has loaded its entry
   * as it was: an actor that runs ignores the coordinator's wakes, but one that loaded a step written here
   * would take the migration on from it (seen: slot actors woken after the test had begun).
   */
  void put(SlotInfo... slots) throws Exception {
    for (SlotInfo s : slots) {
      ClusterSharding.get(fx.node().system()).entityRefFor(SlotEntity.TYPE_KEY, Integer.toString(s.id()))
          .<SlotInfo>ask(SlotEntity.GetSlot::new, WAIT).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    fx.node().cluster().writer().putSlots(List.of(slots)).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Writes a group to the topology (a majority confirmed). */
  void put(GroupInfo group) throws Exception {
    fx.node().cluster().writer().putGroup(group).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The node's slot barrier, as a slot actor asks it: answers once the node drained the slot's source. */
  Barrier.Drained barrier(int slot, long epoch) throws Exception {
    ActorRef<Barrier.Request> agent = agent(Barrier.KEY);
    return AskPattern.<Barrier.Request, Barrier.Drained>ask(agent,
        replyTo -> new Barrier.Request(slot, epoch, replyTo), WAIT, fx.node().system().scheduler())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The node's group barrier, as the coordinator asks it during a switch ({@code replyTo} is filled in). */
  Barrier.GroupHeld groupBarrier(Barrier.GroupRequest r) throws Exception {
    ActorRef<Barrier.GroupRequest> agent = agent(Barrier.GROUP_KEY);
    return AskPattern.<Barrier.GroupRequest, Barrier.GroupHeld>ask(agent,
        replyTo -> new Barrier.GroupRequest(r.group(), r.epoch(), r.server(), r.drain(), replyTo), WAIT,
        fx.node().system().scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The slot's route in the node's routing table now. */
  SlotRoute route(int slot) {
    return fx.node().context().router().loaded().route(slot);
  }

  /** Waits up to {@link #WAIT}; the failure names what and shows the node's topology. */
  void await(String what, BooleanSupplier condition) throws InterruptedException {
    if (!ProxyFixture.await(WAIT, condition)) {
      throw new AssertionError("timed out waiting until " + what + "; topology " + fx.node().topology());
    }
  }

  private <T> ActorRef<T> agent(ServiceKey<T> key) throws Exception {
    var system = fx.node().system();
    Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
        replyTo -> Receptionist.find(key, replyTo), WAIT, system.scheduler())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    return listing.getServiceInstances(key).iterator().next();
  }
}
