package dev.rekko.node.http;

import dev.rekko.coordinator.http.HttpJson;
import dev.rekko.redis.backend.BackendOptions;
import dev.rekko.topology.Topology;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/servers}: every server of the topology as it describes itself (ops/s, memory, keys,
 * clients from {@code INFO}), asked by this node and cached for a second ({@link ServerInfoCache}).
 */
public final class ServersRoutes extends AllDirectives implements RouteGroup {
  private final ServerInfoCache cache;

  /** @param backend the credentials and TLS this node uses with its backend servers */
  public ServersRoutes(Supplier<Topology> topology, BackendOptions backend) {
    this.cache = new ServerInfoCache(topology, backend);
  }

  @Override
  public Route route() {
    return path(PathMatchers.segment("api").slash("servers"), () -> get(() ->
        completeWithFuture(cache.servers().thenApply(servers -> HttpJson.ok(Map.of("servers", servers))))));
  }
}
