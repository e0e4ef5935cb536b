package dev.rekko.node.proxy;

import dev.rekko.node.config.BackendSettings;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.http.AdminHttpServer;
import dev.rekko.node.stats.BackendStatus;
import dev.rekko.node.stats.NodeStats;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendOptions;
import dev.rekko.redis.backend.BackendPool;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: its ActorSystem, backend pool, routing table, RESP listener and HTTP API.
 * Until the cluster arrives, the routing table comes from the config's bootstrap groups.
 */
public final class RekkoNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RekkoNode.class);

  private final ActorSystem<Void> system;
  private final NodeStats stats;
  private final BackendPool pool;
  private final NodeContext context;
  private final RespServer resp;
  private final AdminHttpServer http;

  private RekkoNode(ActorSystem<Void> system, NodeStats stats, BackendPool pool, NodeContext context,
      RespServer resp, AdminHttpServer http) {
    this.system = system;
    this.stats = stats;
    this.pool = pool;
    this.context = context;
    this.resp = resp;
    this.http = http;
  }

  public static RekkoNode start(NodeConfig config) throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "rekko", config.config());
    NodeStats stats = NodeStats.create();
    BackendPool pool = new BackendPool(backendOptions(config.backend()), 1);
    try {
      RoutingTable table = config.bootstrapGroups().isEmpty() ? null : RoutingTable.fromBootstrap(config.bootstrapGroups());
      Router router = new Router(table);
      if (table != null) {
        for (BackendAddress master : table.masters()) {
          pool.warmUp(master, 0);
        }
      }
      stats.registerBackends(() -> pool.status().stream()
          .map(s -> new BackendStatus(s.server(), s.database(), s.up(), s.inFlight(), s.lastError()))
          .toList());
      stats.setOnline(table != null);
      NodeContext ctx = new NodeContext(config.proxy(), config.backend(), router, pool, stats);
      RespServer resp = RespServer.start(system, ctx).toCompletableFuture().get(30, TimeUnit.SECONDS);
      AdminHttpServer http = AdminHttpServer.start(system, config.admin(), stats)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      log.info("node serving RESP on {} and HTTP on {}", resp.address(), http.address());
      return new RekkoNode(system, stats, pool, ctx, resp, http);
    } catch (Exception | Error e) {
      pool.close();
      stats.close();
      system.terminate();
      throw e;
    }
  }

  static BackendOptions backendOptions(BackendSettings b) {
    return new BackendOptions(b.user(), b.password(), b.connectionsPerServer(), b.connectTimeout(),
        b.receiveTimeout(), b.reconnectBackoffMin(), b.reconnectBackoffMax(), b.pingPeriod());
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

  @Override
  public void close() {
    try {
      resp.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
      http.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("unbinding failed: {}", e.toString());
    }
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("actor system did not stop in time: {}", e.toString());
    }
    pool.close();
    stats.close();
  }
}
