package dev.rekko.node.proxy;

import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.config.ProxySettings;
import dev.rekko.node.stats.BackendStatus;
import dev.rekko.node.stats.NodeStats;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendPool;
import dev.rekko.topology.Topology;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A node's data path: the RESP listener (NIO or Streams, {@code rekko.proxy.transport}), its sessions' shared state ({@link NodeContext}), the backend
 * pool and the routing table, which follows the replicated topology ({@link #follow}). Until a topology is
 * applied the node answers {@code ERR router is not online}. The node ({@code dev.rekko.node.RekkoNode})
 * starts it, hands its topologies and lease to it, and stops it.
 */
public final class DataPath implements AutoCloseable {
  /** Held commands time out even when no route changes: the sessions are woken this often. */
  private static final Duration WAKE_DEFERRED = Duration.ofMillis(500);

  private final NodeContext ctx;
  private final ClientListener resp;
  /** The client TLS listener ({@code rekko.proxy.tls}); null when off. */
  private final TlsServer tls;
  private final AtomicReference<Topology> topology = new AtomicReference<>(Topology.EMPTY);
  private final boolean awaitSeed;
  /** {@code rekko.node.datacenter}: replica reads prefer the replicas labelled with it. */
  private final String datacenter;

  private DataPath(NodeContext ctx, ClientListener resp, TlsServer tls, boolean awaitSeed, String datacenter) {
    this.ctx = ctx;
    this.resp = resp;
    this.tls = tls;
    this.awaitSeed = awaitSeed;
    this.datacenter = datacenter;
  }

  /**
   * Binds the RESP listener ({@code rekko.proxy}) and returns once it listens; every command is refused
   * until {@link #follow} applies a topology. On failure nothing is left open.
   */
  public static DataPath start(ActorSystem<?> system, NodeConfig config, NodeStats stats) throws Exception {
    boolean streams = config.proxy().transport() == ProxySettings.Transport.STREAMS;
    // nio: the backend connections run on the client I/O threads (RespServer gives them to the pool).
    BackendPool pool = new BackendPool(config.backend().connections(), streams ? 1 : 0,
        server -> stats.backendTimings(server.toString()));
    try {
      stats.registerBackends(() -> pool.status().stream()
          .map(s -> new BackendStatus(s.server(), s.database(), s.up(), s.inFlight(), s.lastError()))
          .toList());
      NodeContext ctx = new NodeContext(config.proxy(), config.backend(), config.migration(), new Router(null),
          pool, stats, config.observe());
      HeapWatch.start();
      CompletionStage<? extends ClientListener> listening = streams
          ? StreamsServer.start(system, ctx)
          : RespServer.start(system, ctx, config.proxy().ioThreads());
      ClientListener resp = listening.toCompletableFuture().get(30, TimeUnit.SECONDS);
      TlsServer tls = config.clientTls().enabled()
          ? TlsServer.start(system, ctx, config.clientTls(), ClientFlow::admit).toCompletableFuture().get(30, TimeUnit.SECONDS)
          : null;
      system.scheduler().scheduleWithFixedDelay(WAKE_DEFERRED, WAKE_DEFERRED, ctx::wakeDeferred,
          system.executionContext());
      Duration sweep = Duration.ofMillis(BlockingCalls.SWEEP_MILLIS);
      system.scheduler().scheduleWithFixedDelay(sweep, sweep, ctx.blocking::sweep, system.executionContext());
      // A node configured to seed a new cluster waits for the seed rather than serve an empty table
      // whose every slot is offline: clients see "router is not online", as with Codis's waiting proxy.
      return new DataPath(ctx, resp, tls, !config.bootstrapGroups().isEmpty(), config.datacenter());
    } catch (Exception | Error e) {
      pool.close();
      throw e;
    }
  }

  /**
   * Applies a published topology: a new routing table, swapped in at once, and commands held at a
   * migration barrier or waiting for a moved route go on with it. Called on the topology replica's thread.
   *
   * @return whether the routing table follows {@code next} now (only then does the node report the epoch
   *     as applied)
   */
  public boolean follow(Topology next) {
    if (awaitSeed && !seedVisible(next)) {
      // No table routes yet (every command is refused as not online): /api/ready tells from this
      // topology that the node has loaded it and waits for the seed.
      topology.set(next);
      return false;
    }
    RoutingTable table = RoutingTable.fromTopology(next, datacenter);
    RoutingTable before = ctx.router.loaded();
    Set<BackendAddress> known = before == null ? Set.of() : new HashSet<>(before.masters());
    for (BackendAddress master : table.masters()) {
      if (!known.contains(master)) {
        ctx.pool.warmUp(master, 0);
      }
    }
    for (BackendAddress replica : readReplicas(next)) {
      ctx.pool.warmUp(replica, 0);
    }
    ctx.router.update(table);
    // After the swap: whoever reads this topology (the API, tests) finds the table already routing by it.
    topology.set(next);
    // Before retainOnly closes what left: a command blocked there is re-issued, not failed.
    ctx.blocking.sweep();
    ctx.pubsub.follow(table);
    Set<BackendAddress> servers = dataPathServers(next);
    ctx.pool.retainOnly(servers);
    ctx.stats.retainBackends(servers.stream().map(BackendAddress::toString).collect(java.util.stream.Collectors.toSet()));
    // Servers new to the topology get what clients set on every server (after retainOnly, which would
    // close the connections it opens to replicas).
    ctx.settings.follow(next);
    ctx.stats.setOnline(true);
    ctx.wakeDeferred();
    return true;
  }

  /**
   * The data path talks to masters, and to the replicas of groups with replica reads: connections to any
   * other server are closed.
   */
  static Set<BackendAddress> dataPathServers(Topology t) {
    Set<BackendAddress> servers = new HashSet<>(readReplicas(t));
    for (int group : t.groups().keySet()) {
      t.masterOfGroup(group).ifPresent(m -> servers.add(m.address()));
    }
    return servers;
  }

  /** The replicas of every group with replica reads on. */
  static Set<BackendAddress> readReplicas(Topology t) {
    Set<BackendAddress> replicas = new HashSet<>();
    for (var g : t.groups().values()) {
      if (g.replicaRead()) {
        g.servers().stream().filter(s -> !s.isMaster()).forEach(s -> replicas.add(s.address()));
      }
    }
    return replicas;
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

  /** The lease was renewed until {@code untilNanos} (monotonic clock): commands run until then. */
  public void renewLease(long untilNanos) {
    ctx.router.renewLease(untilNanos);
  }

  /** The lease ran out ({@code fenced}), or runs again: the node's online flag in the stats says so. */
  public void onFenced(boolean fenced) {
    ctx.stats.setFenced(fenced);
    ctx.stats.setOnline(!fenced && ctx.router.loaded() != null);
  }

  /** The topology the routing table follows now ({@link Topology#EMPTY} before one is published). */
  public Topology topology() {
    return topology.get();
  }

  /** Whether client commands are routed: the topology is loaded and the node is not fenced. */
  public boolean serving() {
    return ctx.router.table() != null;
  }

  /** Whether commands are refused because the node lost the majority. */
  public boolean fenced() {
    return ctx.router.fenced();
  }

  /** This node's view of a backend server ({@code host:port}); see {@link BackendPool#up}. */
  public Optional<Boolean> serverUp(String addr) {
    return ctx.pool.up(BackendAddress.parse(addr));
  }

  public NodeContext context() {
    return ctx;
  }

  public int port() {
    return resp.port();
  }

  public InetSocketAddress address() {
    return resp.address();
  }

  /** The TLS listener's address; empty when {@code rekko.proxy.tls} is off. */
  public Optional<InetSocketAddress> tlsAddress() {
    return tls == null ? Optional.empty() : Optional.of(tls.address());
  }

  /** Why the RESP listener can no longer serve, though nobody stopped it; empty while it can. */
  public Optional<String> broken() {
    return resp.broken();
  }

  /** Refuses every command from now on and unbinds the listeners (a node's shutdown). */
  public CompletionStage<?> unbind() {
    ctx.router.shutDown();
    return tls == null ? resp.stop() : resp.stop().thenCombine(tls.stop(), (a, b) -> null);
  }

  /** Closes the backend connections; after {@link #unbind}, when the node has stopped. */
  @Override
  public void close() {
    ctx.pubsub.close();
    ctx.pool.close();
  }
}
