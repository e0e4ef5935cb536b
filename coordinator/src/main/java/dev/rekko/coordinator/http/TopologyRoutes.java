package dev.rekko.coordinator.http;

import dev.rekko.topology.Topology;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/topology} and {@code GET /api/nodes}: this node's view, read without the coordinator but
 * for the servers' health, which the coordinator is asked for briefly.
 */
final class TopologyRoutes extends AllDirectives {
  private final Supplier<Topology> topology;
  private final Supplier<CompletionStage<ApiViews.Health>> health;

  TopologyRoutes(Supplier<Topology> topology, Supplier<CompletionStage<ApiViews.Health>> health) {
    this.topology = topology;
    this.health = health;
  }

  Route route() {
    return concat(
        path("topology", () -> get(() -> completeWithFuture(health.get().thenApply(h ->
            HttpJson.ok(ApiViews.TopologyView.of(topology.get(), h)))))),
        path("nodes", () -> get(() ->
            complete(HttpJson.ok(List.copyOf(topology.get().nodes().values()))))));
  }
}
