package dev.rekko.node.cluster;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.coordinator.CoordinatorSingleton;
import dev.rekko.coordinator.ha.HaSettings;
import dev.rekko.node.config.ClusterSettings;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.redis.health.HealthChecker;
import dev.rekko.slots.SlotSharding;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologyReplica;
import dev.rekko.topology.TopologyWriter;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The cluster side of a node: membership ({@link ClusterFormation}: join through the seed nodes, or form a
 * new cluster only where {@code rekko.cluster.form-new-cluster} allows it; or Cluster Bootstrap,
 * {@link ManagementBootstrap}), the topology replica that the
 * routing table follows, this node's entry in the node list, the lease ({@link FenceMonitor}), this node's
 * barrier agent, the health reporter ({@link HealthReporter}: this node's view of the backend servers, for
 * the coordinator's failover decisions), the slot entities' and group movers' shard regions and the
 * coordinator singleton. Every node runs all of them: nodes are identical. Each part gets its typed settings from {@link NodeConfig}.
 */
public final class ClusterServices {
  private final ActorSystem<?> system;
  private final TopologyWriter writer;
  private final ActorRef<TopologyReplica.Command> replica;
  private final ActorRef<NodeReporter.Command> reporter;
  private final ActorRef<Coordinator.Command> coordinator;
  private final AtomicReference<Optional<String>> joining;

  private ClusterServices(ActorSystem<?> system, TopologyWriter writer, ActorRef<TopologyReplica.Command> replica,
      ActorRef<NodeReporter.Command> reporter, ActorRef<Coordinator.Command> coordinator,
      AtomicReference<Optional<String>> joining) {
    this.system = system;
    this.writer = writer;
    this.replica = replica;
    this.reporter = reporter;
    this.coordinator = coordinator;
    this.joining = joining;
  }

  /**
   * @param join       whether the node joins (or forms) the cluster by its {@code rekko.cluster} settings;
   *                   false when the caller manages membership
   * @param onTopology called with each published topology on the replica's thread; answers whether the
   *                   routing table follows it now, and only then does this node report the epoch applied
   * @param lease      hears of the node's lease: renewals, and when it ran out or runs again
   * @param dataPath   what a migration barrier asks of this node's data path
   */
  public static ClusterServices start(ActorSystem<?> system, NodeConfig config, boolean join,
      Predicate<Topology> onTopology, FenceMonitor.Listener lease, BarrierAgent.DataPath dataPath) throws Exception {
    AtomicReference<Optional<String>> joining = join(system, config, join);
    TopologyWriter writer = new TopologyWriter(system, config.topology());
    ActorRef<NodeReporter.Command> reporter =
        system.systemActorOf(NodeReporter.create(writer), "rekko-node-reporter", Props.empty());
    ActorRef<TopologyReplica.Command> replica = system.systemActorOf(TopologyReplica.create(t -> {
      if (onTopology.test(t)) {
        reporter.tell(new NodeReporter.Applied(t));
      }
    }, config.topology()), "rekko-topology", Props.empty());
    system.systemActorOf(FenceMonitor.create(config.cluster().fenceAfter(), new FenceMonitor.Listener() {
      @Override
      public void renewed(long untilNanos) {
        lease.renewed(untilNanos);
      }

      @Override
      public void fenced(boolean fenced) {
        lease.fenced(fenced);
        reporter.tell(new NodeReporter.Fenced(fenced));
      }
    }), "rekko-fence-monitor", DispatcherSelector.fromConfig("rekko.lease-dispatcher"));
    system.systemActorOf(BarrierAgent.create(dataPath), "rekko-barrier-agent", Props.empty());
    var slots = SlotSharding.init(system, writer);
    var movers = SlotSharding.initMovers(system, replica, slots, config.migration().groupMover());
    var coordinator = CoordinatorSingleton.init(system, config.coordinator(), replica, writer, slots, movers);
    HaSettings ha = config.coordinator().ha();
    system.systemActorOf(HealthReporter.create(ha, new HealthChecker.Settings(ha.checkInterval(), ha.infoInterval(),
        ha.pingTimeout(), config.backend().user(), config.backend().password(), config.backend().connections().tls()),
        replica, coordinator),
        "rekko-health-reporter", Props.empty());
    return new ClusterServices(system, writer, replica, reporter, coordinator, joining);
  }

  /**
   * Starts joining (see {@link ClusterFormation}), with Cluster Bootstrap when the settings say so
   * ({@link ManagementBootstrap}); the result says why the node is not a member yet.
   */
  private static AtomicReference<Optional<String>> join(ActorSystem<?> system, NodeConfig config, boolean join)
      throws Exception {
    AtomicReference<Optional<String>> joining = new AtomicReference<>(Optional.empty());
    if (join) {
      Optional<String> contactPoint = config.cluster().bootstrap() == ClusterSettings.Bootstrap.MANAGEMENT
          ? Optional.of(ManagementBootstrap.start(system))
          : Optional.empty();
      system.systemActorOf(ClusterFormation.create(config.cluster(), contactPoint, joining::set),
          "rekko-cluster-formation", Props.empty());
    }
    return joining;
  }

  /** Publishes where this node serves clients and the API, once its listeners are bound. */
  public void announce(String resp, String http) {
    reporter.tell(new NodeReporter.Announce(resp, http));
  }

  /** Marks the node as leaving in the node list (first step of a shutdown). */
  public void leaving() {
    reporter.tell(new NodeReporter.Leaving());
  }

  /** Why the node is not a cluster member yet (it waits to join or to form one); empty once it is. */
  public Optional<String> joining() {
    return joining.get();
  }

  /**
   * Why this node is on its way out (its coordinated shutdown runs: closed, downed, or the process
   * ends), for {@code /api/alive}; empty while it is not.
   */
  public Optional<String> stopping() {
    if (system.getWhenTerminated().toCompletableFuture().isDone()) {
      return Optional.of("the node has stopped");
    }
    return CoordinatedShutdown.get(system).getShutdownReason().map(reason -> "the node is shutting down: "
        + (reason.equals(CoordinatedShutdown.jvmExitReason()) ? "the process is ending"
            : reason.equals(CoordinatedShutdown.clusterDowningReason()) ? "the cluster downed it"
            : reason.equals(CoordinatedShutdown.clusterLeavingReason()) ? "it left the cluster"
            : "it was stopped"));
  }

  public String selfAddress() {
    return Cluster.get(system).selfMember().address().toString();
  }

  public ActorRef<TopologyReplica.Command> replica() {
    return replica;
  }

  /** This node's proxy to the coordinator singleton. */
  public ActorRef<Coordinator.Command> coordinator() {
    return coordinator;
  }

  public TopologyWriter writer() {
    return writer;
  }
}
