package dev.rekko.node.http;

import dev.rekko.coordinator.http.HttpJson;
import dev.rekko.node.stats.NodeStats;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /api/stats}: this node's {@link dev.rekko.node.stats.StatsSnapshot} as JSON. */
public final class StatsRoutes extends AllDirectives implements RouteGroup {
  private final NodeStats stats;

  public StatsRoutes(NodeStats stats) {
    this.stats = stats;
  }

  @Override
  public Route route() {
    return path(PathMatchers.segment("api").slash("stats"), () ->
        get(() -> extractRequestContext(ctx -> complete(HttpJson.ok(stats.snapshot())))));
  }
}
