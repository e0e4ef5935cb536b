package dev.rekko.node.http;

import dev.rekko.coordinator.http.HttpJson;
import dev.rekko.node.stats.History;
import dev.rekko.node.stats.NodeStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/history}: this node's last five minutes, one sample a second (ops/s, p99 of all commands
 * in that second, sessions; see {@link History}), with its identity and state now. {@code ?scope=cluster}
 * asks every node of the topology ({@link ClusterFetch}) and lists their answers, and the nodes that did
 * not answer under {@code errors}.
 */
public final class HistoryRoutes extends AllDirectives implements RouteGroup {
  private final NodeStats stats;
  private final Supplier<String> address;
  private final Supplier<String> http;
  private final BooleanSupplier fenced;
  private final ClusterFetch cluster;

  /**
   * @param address this node's cluster address
   * @param http    where this node serves the HTTP API ({@code host:port})
   */
  public HistoryRoutes(NodeStats stats, Supplier<String> address, Supplier<String> http, BooleanSupplier fenced,
      ClusterFetch cluster) {
    this.stats = stats;
    this.address = address;
    this.http = http;
    this.fenced = fenced;
    this.cluster = cluster;
  }

  @Override
  public Route route() {
    return path(PathMatchers.segment("api").slash("history"), () -> get(() ->
        parameterOptional("scope", scope -> {
          if (scope.isEmpty()) {
            return complete(HttpJson.ok(local()));
          }
          if (!scope.get().equals("cluster")) {
            return complete(HttpJson.error(StatusCodes.BAD_REQUEST,
                "scope must be cluster (or left out for this node), not " + scope.get()));
          }
          return completeWithFuture(cluster.fetchAll("/api/history").thenApply(answers -> HttpJson.ok(merged(answers))));
        })));
  }

  /** This node's history: the shape the console reads (docs/api.md). */
  Map<String, Object> local() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("node", address.get());
    body.put("http", http.get());
    body.put("fenced", fenced.getAsBoolean());
    body.put("sessions", stats.sessionsAlive());
    body.put("opsPerSec", stats.qps());
    body.put("intervalSeconds", 1);
    body.put("samples", stats.history().samples());
    return body;
  }

  static Map<String, Object> merged(List<ClusterFetch.NodeAnswer> answers) {
    List<Object> nodes = new ArrayList<>();
    List<Map<String, Object>> errors = new ArrayList<>();
    for (ClusterFetch.NodeAnswer a : answers) {
      if (a.body().isPresent()) {
        nodes.add(a.body().get());
      } else {
        errors.add(error(a.address(), a.http(), a.error()));
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("nodes", nodes);
    body.put("errors", errors);
    return body;
  }

  static Map<String, Object> error(String address, String http, Optional<String> why) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("address", address);
    e.put("http", http);
    e.put("error", why.orElse("no answer"));
    return e;
  }
}
