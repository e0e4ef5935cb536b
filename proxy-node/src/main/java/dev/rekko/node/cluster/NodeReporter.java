package dev.rekko.node.cluster;

import dev.rekko.topology.NodeInfo;
import dev.rekko.topology.NodeState;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologyWriter;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Keeps this node's {@link NodeInfo} in the topology: its addresses, its state and the epoch its routing
 * table has applied (what {@code GET /api/nodes} shows, and what a migration barrier can read). It also
 * removes the entries of members that left the cluster, so the node list shows the cluster as it is;
 * every node does that, and the removals are idempotent.
 */
public final class NodeReporter {
  public interface Command {}

  /** Where this node serves: its entry is written from the first applied topology on. */
  public record Announce(String resp, String http) implements Command {}

  /** The routing table now follows this topology. */
  public record Applied(Topology topology) implements Command {}

  public record Fenced(boolean fenced) implements Command {}

  /** The node is shutting down. */
  public record Leaving() implements Command {}

  private record Removed(ClusterEvent.MemberRemoved event) implements Command {}

  private NodeReporter() {}

  /**
   * Supervised: after an exception it goes on with what it was told so far (addresses, fenced, leaving,
   * the applied epoch), which is plain data that no failure spoils; the cluster subscription stays too.
   */
  public static Behavior<Command> create(TopologyWriter writer) {
    return Behaviors.setup(ctx -> {
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
          ctx.messageAdapter(ClusterEvent.MemberRemoved.class, Removed::new), ClusterEvent.MemberRemoved.class));
      String self = Cluster.get(ctx.getSystem()).selfMember().address().toString();
      State state = new State(ctx, writer, new NodeInfo(self, "", "", NodeState.JOINING, 0));
      return Behaviors.supervise(state.behavior())
          .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 0.2));
    });
  }

  private static final class State {
    private final ActorContext<Command> ctx;
    private final TopologyWriter writer;
    private NodeInfo info;
    private boolean fenced;
    private boolean leaving;
    private boolean loaded;

    State(ActorContext<Command> ctx, TopologyWriter writer, NodeInfo info) {
      this.ctx = ctx;
      this.writer = writer;
      this.info = info;
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Announce.class, this::onAnnounce)
          .onMessage(Applied.class, this::onApplied)
          .onMessage(Fenced.class, this::onFenced)
          .onMessage(Leaving.class, this::onLeaving)
          .onMessage(Removed.class, this::onRemoved)
          .build();
    }

    private Behavior<Command> onAnnounce(Announce m) {
      info = new NodeInfo(info.address(), m.resp(), m.http(), info.state(), info.appliedEpoch());
      if (loaded) {
        write(info);
      }
      return Behaviors.same();
    }

    private Behavior<Command> onApplied(Applied m) {
      loaded = true;
      NodeInfo next = info.withAppliedEpoch(m.topology().epoch()).withState(state());
      // Re-put when the replicated entry is missing or differs: a late removal by another node (of a
      // former incarnation at this address) must not hide this one.
      if (!next.equals(info) || !next.equals(m.topology().nodes().get(next.address()))) {
        write(next);
      }
      return Behaviors.same();
    }

    private Behavior<Command> onFenced(Fenced m) {
      fenced = m.fenced();
      write(info.withState(state()));
      return Behaviors.same();
    }

    private Behavior<Command> onLeaving(Leaving m) {
      leaving = true;
      write(info.withState(state()));
      return Behaviors.same();
    }

    private Behavior<Command> onRemoved(Removed m) {
      String address = m.event().member().address().toString();
      if (!address.equals(info.address())) {
        writer.removeNode(address).whenComplete((done, error) -> {
          if (error != null) {
            ctx.getSystem().log().debug("removing node entry {} failed: {}", address, error.toString());
          }
        });
      }
      return Behaviors.same();
    }

    private NodeState state() {
      if (leaving) {
        return NodeState.LEAVING;
      }
      if (fenced) {
        return NodeState.FENCED;
      }
      return loaded ? NodeState.UP : NodeState.JOINING;
    }

    private void write(NodeInfo next) {
      info = next;
      writer.putNode(next).whenComplete((done, error) -> {
        if (error != null) {
          ctx.getSystem().log().warn("publishing this node's entry failed: {}", error.toString());
        }
      });
    }
  }
}
