package dev.rekko.node.http;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.node.stats.NodeStats;
import dev.rekko.topology.Topology;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
 * {@code GET /metrics}: the node's Prometheus registry ({@link dev.rekko.node.stats.NodeMetrics}) in text
 * format 0.0.4, written by the Prometheus library, and, when the coordinator answers in time, its HA
 * counters, the replicas' lag as the quorum of nodes sees it, and the migrations' progress
 * ({@link CoordinatorMetrics}); a part the coordinator did not answer for is left out of that scrape.
 */
public final class MetricsRoutes extends AllDirectives implements RouteGroup {
  static final ContentType PROMETHEUS = ContentTypes.parse(PrometheusTextFormatWriter.CONTENT_TYPE);
  private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

  /** What the coordinator answered for one scrape; each part empty when it did not answer in time. */
  public record CoordinatorViews(Optional<Coordinator.HealthView> health,
      Optional<Coordinator.MigrationsView> migrations) {
    public static final CoordinatorViews NONE = new CoordinatorViews(Optional.empty(), Optional.empty());
  }

  private final NodeStats stats;
  private final Supplier<CompletionStage<CoordinatorViews>> coordinator;
  private final Supplier<Topology> topology;

  /** The node's own numbers only. */
  public MetricsRoutes(NodeStats stats) {
    this(stats, () -> CompletableFuture.completedFuture(CoordinatorViews.NONE), () -> Topology.EMPTY);
  }

  /**
   * @param coordinator asks the coordinator for this scrape's views (never fails)
   * @param topology    which group each server belongs to
   */
  public MetricsRoutes(NodeStats stats, Supplier<CompletionStage<CoordinatorViews>> coordinator,
      Supplier<Topology> topology) {
    this.stats = stats;
    this.coordinator = coordinator;
    this.topology = topology;
  }

  @Override
  public Route route() {
    return path("metrics", () -> get(() -> completeWithFuture(coordinator.get().thenApply(views ->
        HttpResponse.create().withEntity(PROMETHEUS, render(stats, extra(views, topology.get())))))));
  }

  /** The node's own metrics in text format (what {@code /metrics} shows when the coordinator is silent). */
  public static String render(NodeStats stats) {
    return new String(render(stats, List.of()), StandardCharsets.UTF_8);
  }

  /** The node's metrics and {@code extra}, sorted by name as the library writes them. */
  static byte[] render(NodeStats stats, List<MetricSnapshot> extra) {
    MetricSnapshots.Builder all = MetricSnapshots.builder();
    stats.metrics().registry().scrape().forEach(all::metricSnapshot);
    extra.forEach(all::metricSnapshot);
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      WRITER.write(out, all.build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static List<MetricSnapshot> extra(CoordinatorViews views, Topology topology) {
    List<MetricSnapshot> extra = new ArrayList<>();
    views.health().ifPresent(v -> extra.addAll(CoordinatorMetrics.ha(v, topology)));
    views.migrations().ifPresent(v -> extra.addAll(CoordinatorMetrics.migrations(v)));
    return extra;
  }
}
