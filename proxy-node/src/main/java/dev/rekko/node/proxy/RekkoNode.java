package dev.rekko.node.proxy;

import dev.rekko.node.cluster.ClusterServices;
import dev.rekko.node.cluster.FenceMonitor;
import dev.rekko.node.config.BackendSettings;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.http.AdminHttpServer;
import dev.rekko.node.stats.BackendStatus;
import dev.rekko.node.stats.NodeStats;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendOptions;
import dev.rekko.redis.backend.BackendPool;
import dev.rekko.topology.Topology;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: its cluster member (ActorSystem), backend pool, routing table, RESP listener and
 * HTTP API. The routing table follows the replicated topology; until it is loaded the node answers
 * {@code ERR router is not online}. The node stops through Pekko's coordinated shutdown, whether closed
 * here or downed by the cluster: its listeners are unbound in the {@code service-unbind} phase.
 */
public final class RekkoNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RekkoNode.class);

  private final ActorSystem<Void> system;
  private final NodeStats stats;
  private final BackendPool pool;
  private final NodeContext context;
  private final Router router;
  private final AtomicReference<Topology> topology;
  private final ClusterServices cluster;
  private final RespServer resp;
  private final AdminHttpServer http;
  private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

  private RekkoNode(ActorSystem<Void> system, NodeStats stats, BackendPool pool, NodeContext context,
      AtomicReference<Topology> topology, ClusterServices cluster, RespServer resp, AdminHttpServer http) {
    this.system = system;
    this.stats = stats;
    this.pool = pool;
    this.context = context;
    this.router = context.router;
    this.topology = topology;
    this.cluster = cluster;
    this.resp = resp;
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
    NodeStats stats = NodeStats.create();
    BackendPool pool = new BackendPool(backendOptions(config.backend()), 1);
    RespServer resp = null;
    try {
      Router router = new Router(null);
      AtomicReference<Topology> topology = new AtomicReference<>(Topology.EMPTY);
      stats.registerBackends(() -> pool.status().stream()
          .map(s -> new BackendStatus(s.server(), s.database(), s.up(), s.inFlight(), s.lastError()))
          .toList());
      NodeContext ctx = new NodeContext(config.proxy(), config.backend(), config.migration(), router, pool, stats);
      HeapWatch.start();
      resp = RespServer.start(system, ctx, config.dispatcherParallelism()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      ClusterServices cluster = ClusterServices.start(system, config, join, topology::get,
          new TopologyFollower(ctx, topology, !config.bootstrapGroups().isEmpty()), new FenceMonitor.Listener() {
            @Override
            public void renewed(long untilNanos) {
              router.renewLease(untilNanos);
            }

            @Override
            public void fenced(boolean fenced) {
              stats.setOnline(!fenced && router.loaded() != null);
            }
          }, ctx);
      AdminHttpServer http = AdminHttpServer.start(system, config.admin().host(), config.admin().port(),
          cluster.routes(stats, pool, () -> router.table() != null, router::fenced)).toCompletableFuture().get(30, TimeUnit.SECONDS);
      cluster.announce(config.proxy().host() + ":" + resp.port(), config.admin().host() + ":" + http.port());
      // Held commands time out even when no route changes.
      system.scheduler().scheduleWithFixedDelay(java.time.Duration.ofMillis(500), java.time.Duration.ofMillis(500),
          ctx::wakeDeferred, system.executionContext());
      RekkoNode node = new RekkoNode(system, stats, pool, ctx, topology, cluster, resp, http);
      node.unbindOnShutdown();
      log.info("node {} serving RESP on {} and HTTP on {}", cluster.selfAddress(), resp.address(), http.address());
      return node;
    } catch (Exception | Error e) {
      if (resp != null) {
        resp.stop();
      }
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      pool.close();
      stats.close();
      throw e;
    }
  }

  static BackendOptions backendOptions(BackendSettings b) {
    return new BackendOptions(b.user(), b.password(), b.connectionsPerServer(), b.connectTimeout(),
        b.receiveTimeout(), b.reconnectBackoffMin(), b.reconnectBackoffMax(), b.pingPeriod());
  }

  private void unbindOnShutdown() {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "rekko-leaving", () -> {
      cluster.leaving();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "rekko-unbind", () -> {
      router.fence(true);
      return resp.stop().thenCombine(http.stop(), (a, b) -> Done.getInstance());
    });
  }

  public int respPort() {
    return resp.port();
  }

  public int httpPort() {
    return http.port();
  }

  public NodeContext context() {
    return context;
  }

  public NodeStats stats() {
    return stats;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** The topology the routing table follows now ({@link Topology#EMPTY} before it is loaded). */
  public Topology topology() {
    return topology.get();
  }

  /** Whether client commands are routed: the topology is loaded and the node is not fenced. */
  public boolean serving() {
    return router.table() != null;
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
    CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
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
      pool.close();
      stats.close();
    }
  }

  /**
   * Whether {@code t} shows the whole seed. The seed's meta entry, its groups and its 16 slot keys
   * spread as separate entries, so a node may see "bootstrapped" before some slots, which it would then
   * route as offline; a seed puts every slot online at a known group, and no slot ever goes back to
   * epoch 0, so this holds for every later topology too.
   */
  static boolean seedVisible(Topology t) {
    if (!t.bootstrapped()) {
      return false;
    }
    for (var slot : t.slots()) {
      if (slot.epoch() == 0 || !t.groups().containsKey(slot.group())) {
        return false;
      }
    }
    return true;
  }

  /** Applies each published topology: a new routing table, swapped in at once. */
  private record TopologyFollower(NodeContext ctx, AtomicReference<Topology> topology, boolean awaitSeed)
      implements java.util.function.Predicate<Topology> {
    /** Returns whether the routing table now follows {@code next}. */
    @Override
    public boolean test(Topology next) {
      Router router = ctx.router;
      BackendPool pool = ctx.pool;
      topology.set(next);
      // A node configured to seed a new cluster waits for the seed rather than serve an empty table
      // whose every slot is offline: clients see "router is not online", as with Codis's waiting proxy.
      if (awaitSeed && !seedVisible(next)) {
        return false;
      }
      RoutingTable table = RoutingTable.fromTopology(next);
      RoutingTable before = router.loaded();
      Set<BackendAddress> known = before == null ? Set.of() : new HashSet<>(before.masters());
      for (BackendAddress master : table.masters()) {
        if (!known.contains(master)) {
          pool.warmUp(master, 0);
        }
      }
      router.update(table);
      ctx.stats.setOnline(true);
      // Commands held at a migration barrier or waiting for a moved route go on with the new table.
      ctx.wakeDeferred();
      return true;
    }
  }
}
