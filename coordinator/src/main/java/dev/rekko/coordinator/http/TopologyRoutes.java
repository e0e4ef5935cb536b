package dev.rekko.coordinator.http;

import dev.rekko.topology.Topology;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /api/topology} and {@code GET /api/nodes}: this node's view, read without the coordinator. */
final class TopologyRoutes extends AllDirectives {
  private final Supplier<Topology> topology;
  private final Function<String, Optional<Boolean>> serverUp;

  TopologyRoutes(Supplier<Topology> topology, Function<String, Optional<Boolean>> serverUp) {
    this.topology = topology;
    this.serverUp = serverUp;
  }

  Route route() {
    return concat(
        path("topology", () -> get(() ->
            complete(HttpJson.ok(ApiViews.TopologyView.of(topology.get(), serverUp))))),
        path("nodes", () -> get(() ->
            complete(HttpJson.ok(List.copyOf(topology.get().nodes().values()))))));
  }
}
