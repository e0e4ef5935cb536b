package dev.rekko.node.http;

import dev.rekko.node.stats.NodeStats;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /metrics}: the same numbers as {@code /api/stats} in Prometheus text format 0.0.4. */
public final class MetricsRoutes extends AllDirectives implements RouteGroup {
  static final ContentType PROMETHEUS = ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final NodeStats stats;

  public MetricsRoutes(NodeStats stats) {
    this.stats = stats;
  }

  @Override
  public Route route() {
    return path("metrics", () ->
        get(() -> extractRequestContext(ctx -> complete(HttpResponse.create()
            .withEntity(PROMETHEUS, PrometheusFormat.render(stats.snapshot()).getBytes(StandardCharsets.UTF_8))))));
  }
}
