package dev.rekko.node.http;

import dev.rekko.coordinator.http.HttpJson;
import dev.rekko.topology.Topology;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/ready}: 200 when the node routes client commands, 503 while it is not a cluster member
 * yet, before its topology is loaded or while it is fenced — what a load balancer's or Kubernetes'
 * readiness probe asks. A 503 carries the {@code reason}, so an operator sees what the node waits for.
 */
public final class ReadyRoutes extends AllDirectives implements RouteGroup {
  private final Supplier<Topology> topology;
  private final BooleanSupplier serving;
  private final Supplier<Optional<String>> joining;
  private final BooleanSupplier fenced;

  /**
   * @param joining why the node is not a cluster member yet; empty once it is
   * @param fenced  whether the node refuses commands because it cannot see the majority
   */
  public ReadyRoutes(Supplier<Topology> topology, BooleanSupplier serving, Supplier<Optional<String>> joining,
      BooleanSupplier fenced) {
    this.topology = topology;
    this.serving = serving;
    this.joining = joining;
    this.fenced = fenced;
  }

  @Override
  public Route route() {
    return path(PathMatchers.segment("api").slash("ready"), () -> get(() -> {
      Topology t = topology.get();
      boolean ready = serving.getAsBoolean();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("ready", ready);
      body.put("loaded", t.loaded());
      // Before the topology is loaded there is no lease yet either: that is loading, not fencing.
      body.put("fenced", t.loaded() && fenced.getAsBoolean());
      body.put("epoch", t.epoch());
      if (!ready) {
        body.put("reason", reason(t));
      }
      return complete(HttpJson.response(ready ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body));
    }));
  }

  private String reason(Topology t) {
    Optional<String> waiting = joining.get();
    if (waiting.isPresent()) {
      return waiting.get();
    }
    if (!t.loaded()) {
      return "loading the topology from the cluster";
    }
    if (fenced.getAsBoolean()) {
      return "fenced: no confirmed contact with a majority of the cluster within rekko.cluster.fence-after";
    }
    return "waiting for the coordinator to seed the topology from rekko.bootstrap.groups";
  }
}
