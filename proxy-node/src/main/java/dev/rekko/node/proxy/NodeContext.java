package dev.rekko.node.proxy;

import dev.rekko.node.config.BackendSettings;
import dev.rekko.node.config.ProxySettings;
import dev.rekko.node.stats.CommandStats;
import dev.rekko.node.stats.NodeStats;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.redis.backend.BackendPool;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What every session of a node shares: settings, the router, the backend pool and the stats. */
public final class NodeContext {
  final ProxySettings proxy;
  final BackendSettings backend;
  final Router router;
  final BackendPool pool;
  final NodeStats stats;
  final long startMillis = System.currentTimeMillis();
  final AtomicLong sessionIds = new AtomicLong();
  final AtomicInteger clients = new AtomicInteger();
  private final ConcurrentHashMap<CommandSpec, CommandStats> commandStats = new ConcurrentHashMap<>();
  private final CommandStats unknown;

  public NodeContext(ProxySettings proxy, BackendSettings backend, Router router, BackendPool pool, NodeStats stats) {
    this.proxy = proxy;
    this.backend = backend;
    this.router = router;
    this.pool = pool;
    this.stats = stats;
    this.unknown = stats.command("UNKNOWN");
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
