package dev.rekko.node.http;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.node.stats.NodeStats;
import dev.rekko.topology.Topology;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: the same numbers as {@code /api/stats} in Prometheus text format 0.0.4, and, when
 * the coordinator answers in time, its HA counters and the replicas' lag as the quorum of nodes sees it.
 */
public final class MetricsRoutes extends AllDirectives implements RouteGroup {
  static final ContentType PROMETHEUS = ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final NodeStats stats;
  private final Supplier<CompletionStage<Optional<Coordinator.HealthView>>> health;
  private final Supplier<Topology> topology;

  /** The node's own numbers only. */
  public MetricsRoutes(NodeStats stats) {
    this(stats, () -> CompletableFuture.completedFuture(Optional.empty()), () -> Topology.EMPTY);
  }

  /**
   * @param health   the coordinator's health view; empty when it did not answer (the HA part is left out)
   * @param topology which group each server belongs to
   */
  public MetricsRoutes(NodeStats stats, Supplier<CompletionStage<Optional<Coordinator.HealthView>>> health,
      Supplier<Topology> topology) {
    this.stats = stats;
    this.health = health;
    this.topology = topology;
  }

  @Override
  public Route route() {
    return path("metrics", () -> get(() -> completeWithFuture(health.get().thenApply(view -> {
      String text = PrometheusFormat.render(stats.snapshot())
          + view.map(v -> PrometheusFormat.renderHa(v, topology.get())).orElse("");
      return HttpResponse.create().withEntity(PROMETHEUS, text.getBytes(StandardCharsets.UTF_8));
    }))));
  }
}
