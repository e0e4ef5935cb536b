package dev.rekko.node.proxy;

import dev.rekko.node.config.BackendSettings;
import dev.rekko.node.config.MigrationSettings;
import dev.rekko.node.config.ObserveSettings;
import dev.rekko.node.observe.Observability;
import dev.rekko.node.config.ProxySettings;
import dev.rekko.node.stats.CommandStats;
import dev.rekko.node.stats.NodeStats;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.redis.backend.BackendPool;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What every session of a node shares: settings, the router, the backend pool and the stats. */
public final class NodeContext implements dev.rekko.node.cluster.BarrierAgent.DataPath {
  final ProxySettings proxy;
  final BackendSettings backend;
  final MigrationSettings migration;
  final Router router;
  final BackendPool pool;
  final NodeStats stats;
  final long startMillis = System.currentTimeMillis();
  final AtomicLong sessionIds = new AtomicLong();
  final AtomicInteger clients = new AtomicInteger();
  private final ConcurrentHashMap<CommandSpec, CommandStats> commandStats = new ConcurrentHashMap<>();
  private final CommandStats unknown;

  /** Every open session: a migration barrier waits for their batches, a route change wakes their held commands. */
  final Set<Session> sessions = ConcurrentHashMap.newKeySet();
  /** What all clients hold, against {@code rekko.proxy.max-memory}. */
  final ClientMemory memory;
  /** Blocking commands: their budget, their dedicated connections, unblocking them when routes change. */
  final BlockingCalls blocking;
  /** The request decoder's limits ({@code proto-max-bulk-len}), shared by every connection. */
  final dev.rekko.protocol.resp.RespLimits requestLimits;
  /** What clients set on every server (CONFIG SET, SCRIPT LOAD), for servers that join later. */
  final ServerSettings settings;
  /** The node's pub/sub subscriptions and their backend subscriber connections. */
  final PubSubHub pubsub;
  /** Whether Streams transport connections are woken when reading may resume ({@link ClientFlow}). */
  final java.util.concurrent.atomic.AtomicBoolean streamsResume = new java.util.concurrent.atomic.AtomicBoolean();
  /** The slow log, hot keys and big keys ({@link Observed} feeds them). */
  final Observability observe;

  public NodeContext(ProxySettings proxy, BackendSettings backend, MigrationSettings migration, Router router,
      BackendPool pool, NodeStats stats) {
    this(proxy, backend, migration, router, pool, stats, ObserveSettings.defaults());
  }

  public NodeContext(ProxySettings proxy, BackendSettings backend, MigrationSettings migration, Router router,
      BackendPool pool, NodeStats stats, ObserveSettings observe) {
    this.proxy = proxy;
    this.backend = backend;
    this.migration = migration;
    this.router = router;
    this.pool = pool;
    this.stats = stats;
    this.unknown = stats.command("UNKNOWN");
    this.memory = new ClientMemory(proxy.limits().maxMemory(), sessions);
    stats.registerClientMemory(memory::used, memory.budget());
    this.requestLimits = proxy.limits().respLimits();
    this.blocking = new BlockingCalls(pool, router, backend.maxBlockingConnections());
    this.settings = new ServerSettings(pool);
    this.pubsub = new PubSubHub(pool.options());
    this.observe = new Observability(observe);
  }

  public Observability observe() {
    return observe;
  }

  /** Per-command stats, keyed by the table's spec object so the hot path hashes no strings. */
  CommandStats statsFor(CommandSpec spec) {
    if (spec == null) {
      return unknown;
    }
    CommandStats s = commandStats.get(spec);
    if (s == null) {
      s = commandStats.computeIfAbsent(spec, k -> stats.command(k.displayName().toUpperCase(java.util.Locale.ROOT)));
    }
    return s;
  }

  /** Wakes every session with deferred commands, after a route change or to let held ones time out. */
  public void wakeDeferred() {
    for (Session s : sessions) {
      if (s.hasDeferred()) {
        s.signal();
      }
    }
  }

  /**
   * True once no session is still in a batch that began before routing table generation {@code generation}:
   * every command routed with an older table has then been queued on its backend connection.
   */
  @Override
  public boolean quiescent(long generation) {
    for (Session s : sessions) {
      long since = s.batchGeneration();
      if (since != 0 && since < generation) {
        return false;
      }
    }
    return true;
  }

  @Override
  public long generation() {
    return router.generation();
  }

  /** The epoch of a slot's route in the current routing table; -1 before one is loaded. */
  @Override
  public long slotEpoch(int slot) {
    RoutingTable t = router.loaded();
    return t == null ? -1 : t.route(slot).epoch();
  }

  /** The epoch of a group's entry in the current routing table's topology; -1 when unknown or not loaded. */
  @Override
  public long groupEpoch(int group) {
    RoutingTable t = router.loaded();
    return t == null ? -1 : t.groupEpoch(group);
  }

  /** The master the slot's commands go to in the current routing table; empty when none. */
  @Override
  public java.util.Optional<String> slotMaster(int slot) {
    RoutingTable t = router.loaded();
    SlotRoute r = t == null ? null : t.route(slot);
    return r == null || r.master() == null ? java.util.Optional.empty() : java.util.Optional.of(r.master().toString());
  }

  @Override
  public void barrierAnswered(long nanos) {
    stats.barrierAnswered(nanos);
  }

  /** Completes when every command sent so far to {@code server} has been answered (or killed there). */
  @Override
  public java.util.concurrent.CompletableFuture<Void> drain(String server) {
    return pool.drain(dev.rekko.redis.backend.BackendAddress.parse(server));
  }

  public int clients() {
    return clients.get();
  }

  public Router router() {
    return router;
  }

  public BackendPool pool() {
    return pool;
  }
}
