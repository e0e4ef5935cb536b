package dev.rekko.node;

import dev.rekko.node.cluster.ClusterServices;
import dev.rekko.node.cluster.FenceMonitor;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.http.AdminHttpServer;
import dev.rekko.node.http.NodeRoutes;
import dev.rekko.node.proxy.DataPath;
import dev.rekko.node.proxy.NodeContext;
import dev.rekko.node.stats.NodeStats;
import dev.rekko.topology.Topology;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node, and the one place that wires it: its cluster member (ActorSystem), the data path
 * ({@link DataPath}: RESP listener, routing table, backends), the cluster side ({@link ClusterServices}:
 * membership, topology replica, lease, slot actors, group movers, coordinator) and the HTTP API
 * ({@link NodeRoutes}). Every part gets its typed settings from {@link NodeConfig}, read once at start.
 * The routing table follows the replicated topology; until it is loaded the node answers
 * {@code ERR router is not online}. The node stops through Pekko's coordinated shutdown, whether closed
 * here or downed by the cluster: its listeners are unbound in the {@code service-unbind} phase.
 */
public final class RekkoNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RekkoNode.class);

  private final ActorSystem<Void> system;
  private final NodeStats stats;
  private final DataPath dataPath;
  private final ClusterServices cluster;
  private final AdminHttpServer http;
  private final AtomicBoolean released = new AtomicBoolean();

  private RekkoNode(ActorSystem<Void> system, NodeStats stats, DataPath dataPath, ClusterServices cluster,
      AdminHttpServer http) {
    this.system = system;
    this.stats = stats;
    this.dataPath = dataPath;
    this.cluster = cluster;
    this.http = http;
  }

  /** Starts a node in an ActorSystem of its own, named {@code rekko}, built from {@code config}. */
  public static RekkoNode start(NodeConfig config) throws Exception {
    return startOn(ActorSystem.create(Behaviors.empty(), "rekko", config.config()), config, true);
  }

  /**
   * Starts a node in an existing ActorSystem (multi-JVM tests run it in the testkit's system, whose
   * transport can inject faults). The system's own configuration applies to Pekko; {@code config} gives
   * the {@code rekko.*} settings. The node stops the system when it stops.
   *
   * @param join whether the node joins (or forms) the cluster by its {@code rekko.cluster} settings; false
   *             when the caller manages membership
   */
  public static RekkoNode startOn(ActorSystem<Void> system, NodeConfig config, boolean join) throws Exception {
    // The node's cluster address on every line from here on (JSON logs: context.properties.node).
    dev.rekko.node.observe.LogFormat.node(
        org.apache.pekko.cluster.typed.Cluster.get(system).selfMember().address().toString());
    NodeStats stats = NodeStats.create();
    DataPath dataPath = null;
    try {
      dataPath = DataPath.start(system, config, stats);
      DataPath data = dataPath;
      dev.rekko.node.observe.Observability observe = data.context().observe();
      stats.metrics().bigKeys(() -> observe.bigKeys(dev.rekko.node.observe.BigKeys.Direction.REQUEST),
          () -> observe.bigKeys(dev.rekko.node.observe.BigKeys.Direction.REPLY));
      ClusterServices cluster = ClusterServices.start(system, config, join, data::follow,
          new FenceMonitor.Listener() {
            @Override
            public void renewed(long untilNanos) {
              data.renewLease(untilNanos);
            }

            @Override
            public void fenced(boolean fenced) {
              data.onFenced(fenced);
            }
          }, data.context());
      View view = new View(data, cluster, new AtomicReference<>(""));
      AdminHttpServer http = AdminHttpServer.start(system, config.admin().host(), config.admin().port(),
          config.admin().tls(), NodeRoutes.of(system, config.admin().api(), cluster.coordinator(), view, stats,
              config.admin().tls()))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      view.boundHttp().set(config.admin().host() + ":" + http.port());
      cluster.announce(config.proxy().host() + ":" + data.port(), config.admin().host() + ":" + http.port());
      RekkoNode node = new RekkoNode(system, stats, data, cluster, http);
      node.unbindOnShutdown();
      log.info("node {} serving RESP on {} and HTTP on {}", cluster.selfAddress(), data.address(), http.address());
      return node;
    } catch (Exception | Error e) {
      if (dataPath != null) {
        dataPath.unbind();
      }
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (dataPath != null) {
        dataPath.close();
      }
      stats.close();
      throw e;
    }
  }

  private void unbindOnShutdown() {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "rekko-leaving", () -> {
      cluster.leaving();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "rekko-unbind", () ->
        dataPath.unbind().thenCombine(http.stop(), (a, b) -> Done.getInstance()));
  }

  public int respPort() {
    return dataPath.port();
  }

  public int httpPort() {
    return http.port();
  }

  public NodeContext context() {
    return dataPath.context();
  }

  public NodeStats stats() {
    return stats;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** The cluster side: the topology replica and writer, the coordinator's proxy. */
  public ClusterServices cluster() {
    return cluster;
  }

  /** The topology the routing table follows now ({@link Topology#EMPTY} before it is loaded). */
  public Topology topology() {
    return dataPath.topology();
  }

  /** Whether client commands are routed: the topology is loaded and the node is not fenced. */
  public boolean serving() {
    return dataPath.serving();
  }

  /**
   * Completes when the node has stopped, with true when the cluster downed it (rather than
   * {@link #close()}): then the process should exit or start a new node, see {@code rekko.cluster.on-downed}.
   */
  public CompletionStage<Boolean> stopped() {
    return system.getWhenTerminated().thenApply(done -> CoordinatedShutdown.get(system).getShutdownReason()
        .map(reason -> reason.equals(CoordinatedShutdown.clusterDowningReason())).orElse(false))
        .whenComplete((downed, error) -> release());
  }

  /** Leaves the cluster gracefully (the singleton and slot actors hand over), unbinds, and stops. */
  @Override
  public void close() {
    stop(CoordinatedShutdown.unknownReason());
  }

  /**
   * As {@link #close()}, for {@code reason}: the process's shutdown hook (SIGTERM, Ctrl-C) gives
   * {@link CoordinatedShutdown#jvmExitReason()}. Coordinated shutdown unbinds the listeners, hands the
   * shards and the singleton over, and leaves the cluster (Leaving, Exiting, then Removed by the others)
   * before the remote transport stops, so the others never see this node unreachable.
   */
  public void stop(CoordinatedShutdown.Reason reason) {
    CoordinatedShutdown.get(system).runAll(reason);
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("node did not stop in time: {}", e.toString());
      system.terminate();
    }
    release();
  }

  private void release() {
    if (released.compareAndSet(false, true)) {
      dataPath.close();
      stats.close();
    }
  }

  /** What the HTTP routes read of this node; {@code boundHttp} is set once the listener is bound. */
  private record View(DataPath data, ClusterServices cluster, AtomicReference<String> boundHttp) implements NodeRoutes.Node {
    @Override
    public dev.rekko.node.observe.Observability observe() {
      return data.context().observe();
    }

    @Override
    public Topology topology() {
      return data.topology();
    }

    @Override
    public boolean serving() {
      return data.serving();
    }

    @Override
    public boolean fenced() {
      return data.fenced();
    }

    @Override
    public Optional<String> joining() {
      return cluster.joining();
    }

    @Override
    public Optional<Boolean> serverUp(String addr) {
      return data.serverUp(addr);
    }

    @Override
    public String address() {
      return cluster.selfAddress();
    }

    @Override
    public String http() {
      return boundHttp.get();
    }

    @Override
    public dev.rekko.redis.backend.BackendOptions backends() {
      return data.context().pool().options();
    }

    @Override
    public Optional<String> broken() {
      return cluster.stopping().or(data::broken);
    }
  }
}
