package dev.rekko.node.http;

import dev.rekko.coordinator.http.HttpJson;
import dev.rekko.topology.Topology;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/ready}: 200 when the node routes client commands, 503 before its topology is loaded or
 * while it is fenced — what a load balancer's or Kubernetes' readiness probe asks.
 */
public final class ReadyRoutes extends AllDirectives implements RouteGroup {
  private final Supplier<Topology> topology;
  private final BooleanSupplier serving;

  public ReadyRoutes(Supplier<Topology> topology, BooleanSupplier serving) {
    this.topology = topology;
    this.serving = serving;
  }

  @Override
  public Route route() {
    return path(PathMatchers.segment("api").slash("ready"), () -> get(() -> {
      Topology t = topology.get();
      boolean ready = serving.getAsBoolean();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("ready", ready);
      body.put("loaded", t.loaded());
      body.put("fenced", t.loaded() && !ready);
      body.put("epoch", t.epoch());
      return complete(HttpJson.response(ready ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body));
    }));
  }
}
