package dev.rekko.node.cluster;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.coordinator.CoordinatorSettings;
import dev.rekko.coordinator.CoordinatorSingleton;
import dev.rekko.coordinator.http.AdminApi;
import dev.rekko.coordinator.http.AdminApiSettings;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.http.AdminHttpServer;
import dev.rekko.node.http.ReadyRoutes;
import dev.rekko.node.http.RouteGroup;
import dev.rekko.node.stats.NodeStats;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendPool;
import dev.rekko.slots.SlotEntity;
import dev.rekko.slots.GroupMoverSettings;
import dev.rekko.slots.SlotSharding;
import dev.rekko.topology.Topology;
import dev.rekko.topology.TopologyReplica;
import dev.rekko.topology.TopologySeed;
import dev.rekko.topology.TopologyWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The cluster side of a node: membership ({@link ClusterFormation}: join through the seed nodes, or form a
 * new cluster only where {@code rekko.cluster.form-new-cluster} allows it), the topology
 * replica that the routing table follows, this node's entry in the node list, fencing, the slot
 * entities' shard region and the coordinator singleton. Every node runs all of them: nodes are identical.
 */
public final class ClusterServices {
  private final ActorSystem<?> system;
  private final NodeConfig config;
  private final Supplier<Topology> topology;
  private final TopologyWriter writer;
  private final ActorRef<TopologyReplica.Command> replica;
  private final ActorRef<NodeReporter.Command> reporter;
  private final ActorRef<ShardingEnvelope<SlotEntity.Command>> slots;
  private final ActorRef<Coordinator.Command> coordinator;
  private final AtomicReference<Optional<String>> joining;

  private ClusterServices(ActorSystem<?> system, NodeConfig config, Supplier<Topology> topology,
      TopologyWriter writer, ActorRef<TopologyReplica.Command> replica, ActorRef<NodeReporter.Command> reporter,
      ActorRef<ShardingEnvelope<SlotEntity.Command>> slots, ActorRef<Coordinator.Command> coordinator,
      AtomicReference<Optional<String>> joining) {
    this.system = system;
    this.config = config;
    this.topology = topology;
    this.writer = writer;
    this.replica = replica;
    this.reporter = reporter;
    this.slots = slots;
    this.coordinator = coordinator;
    this.joining = joining;
  }

  /**
   * The node's own settings win over the {@code rekko.coordinator} section: the bootstrap groups and the
   * backend credentials are configured once, for the data path and the coordinator alike.
   */
  private static CoordinatorSettings coordinatorSettings(ActorSystem<?> system, NodeConfig config) {
    return CoordinatorSettings.create(system.settings().config())
        .withSeedGroups(config.bootstrapGroups().stream()
            .map(g -> new TopologySeed.SeedGroup(g.id(), g.servers())).toList())
        .withBackendCredentials(config.backend().user(), config.backend().password());
  }

  /**
   * @param join       whether the node joins (or forms) the cluster by its {@code rekko.cluster} settings;
   *                   false when the caller manages membership
   * @param topology   the topology the node follows now (read by the HTTP API)
   * @param onTopology called with each published topology on the replica's thread; answers whether the
   *                   routing table follows it now, and only then does this node report the epoch applied
   * @param lease      hears of the node's lease: renewals, and when it ran out or runs again
   * @param dataPath   what a migration barrier asks of this node's data path
   */
  public static ClusterServices start(ActorSystem<?> system, NodeConfig config, boolean join,
      Supplier<Topology> topology, Predicate<Topology> onTopology, FenceMonitor.Listener lease,
      BarrierAgent.DataPath dataPath) {
    AtomicReference<Optional<String>> joining = join(system, config, join);
    TopologyWriter writer = new TopologyWriter(system);
    ActorRef<NodeReporter.Command> reporter =
        system.systemActorOf(NodeReporter.create(writer), "rekko-node-reporter", Props.empty());
    ActorRef<TopologyReplica.Command> replica = system.systemActorOf(TopologyReplica.create(t -> {
      if (onTopology.test(t)) {
        reporter.tell(new NodeReporter.Applied(t));
      }
    }), "rekko-topology", Props.empty());
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
    var movers = SlotSharding.initMovers(system, replica, slots, GroupMoverSettings.create(system.settings().config(),
        config.backend().user(), config.backend().password()));
    var coordinator = CoordinatorSingleton.init(system, coordinatorSettings(system, config), replica, writer, slots,
        movers);
    return new ClusterServices(system, config, topology, writer, replica, reporter, slots, coordinator, joining);
  }

  /** Starts joining (see {@link ClusterFormation}); the result says why the node is not a member yet. */
  private static AtomicReference<Optional<String>> join(ActorSystem<?> system, NodeConfig config, boolean join) {
    AtomicReference<Optional<String>> joining = new AtomicReference<>(Optional.empty());
    if (join) {
      system.systemActorOf(ClusterFormation.create(config.cluster(), joining::set), "rekko-cluster-formation",
          Props.empty());
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

  public String selfAddress() {
    return Cluster.get(system).selfMember().address().toString();
  }

  /**
   * Every HTTP route the node serves: the admin API, readiness, stats and metrics.
   *
   * @param fenced whether the data path refuses commands because the node lost the majority
   */
  public List<RouteGroup> routes(NodeStats stats, BackendPool pool, BooleanSupplier serving, BooleanSupplier fenced) {
    List<RouteGroup> routes = new ArrayList<>();
    routes.add(new ReadyRoutes(topology, serving, joining::get, fenced));
    AdminApiSettings api = new AdminApiSettings(config.admin().token(), config.admin().requestTimeout());
    routes.add(() -> AdminApi.routes(system, coordinator, topology, addr -> serverUp(pool, addr), api));
    routes.addAll(AdminHttpServer.statsRoutes(stats));
    return routes;
  }

  /** This node's view of a server: up when any of its connections to it is; unknown when it has none. */
  private static Optional<Boolean> serverUp(BackendPool pool, String addr) {
    String key = BackendAddress.parse(addr).toString();
    Optional<Boolean> up = Optional.empty();
    for (BackendPool.Status s : pool.status()) {
      if (s.server().equals(key)) {
        up = Optional.of(up.orElse(false) || s.up());
      }
    }
    return up;
  }

  public ActorRef<TopologyReplica.Command> replica() {
    return replica;
  }

  public ActorRef<Coordinator.Command> coordinator() {
    return coordinator;
  }

  public TopologyWriter writer() {
    return writer;
  }
}
