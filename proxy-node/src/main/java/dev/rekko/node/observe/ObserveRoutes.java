package dev.rekko.node.observe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rekko.coordinator.http.HttpJson;
import dev.rekko.node.http.ClusterFetch;
import dev.rekko.node.http.RouteGroup;
import dev.rekko.topology.Topology;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/slowlog}, {@code /api/hotkeys} and {@code /api/bigkeys}: this node's
 * {@link Observability}, or with {@code ?scope=cluster} every node's, merged ({@link ClusterFetch}).
 * Hot keys' slots and groups are the topology's this node follows.
 */
public final class ObserveRoutes extends AllDirectives implements RouteGroup {
  private final Observability observe;
  private final Supplier<Topology> topology;
  private final ClusterFetch cluster;
  private final double sampleRate;

  public ObserveRoutes(Observability observe, Supplier<Topology> topology, ClusterFetch cluster) {
    this.observe = observe;
    this.sampleRate = observe.sampleRate();
    this.topology = topology;
    this.cluster = cluster;
  }

  @Override
  public Route route() {
    return pathPrefix("api", () -> concat(
        path("slowlog", () -> get(() -> view(128, count -> ObserveJson.slowLog(observe.slowLog(), count),
            (count, answers) -> ObserveJson.slowLogs(ObserveJson.slowLog(observe.slowLog(), 0), answers, count),
            "/api/slowlog"))),
        path("hotkeys", () -> get(() -> view(50,
            count -> ObserveJson.hotKeys(observe.hotKeys(), topology.get(), count, sampleRate),
            (count, answers) -> ObserveJson.hotKeysMerged(answers, topology.get(), count, sampleRate),
            "/api/hotkeys"))),
        path("bigkeys", () -> get(() -> view(Integer.MAX_VALUE, count -> ObserveJson.bigKeys(observe.bigKeys()),
            (count, answers) -> ObserveJson.bigKeysMerged(observe.bigKeys(), answers), "/api/bigkeys")))));
  }

  private interface Merge {
    ObjectNode apply(int count, List<ClusterFetch.NodeAnswer> answers);
  }

  /** One view: {@code count} (a whole number from 1, else 400) and {@code scope} ({@code node} or {@code cluster}). */
  private Route view(int defaultCount, Function<Integer, ObjectNode> own, Merge merge, String path) {
    return parameterOptional("count", countText -> parameterOptional("scope", scope -> {
      Optional<Integer> count = parseCount(countText, defaultCount);
      if (count.isEmpty()) {
        return complete(HttpJson.error(StatusCodes.BAD_REQUEST,
            "count must be a whole number from 1, got \"" + countText.orElse("") + "\""));
      }
      String s = scope.orElse("node");
      if (s.equals("node")) {
        return complete(HttpJson.ok(own.apply(count.get())));
      }
      if (!s.equals("cluster")) {
        return complete(HttpJson.error(StatusCodes.BAD_REQUEST, "scope must be node or cluster, got \"" + s + "\""));
      }
      String each = path + (countText.isPresent() ? "?count=" + count.get() : "");
      CompletionStage<ObjectNode> merged = cluster.fetchAll(each).thenApply(answers -> merge.apply(count.get(), answers));
      return completeWithFuture(merged.thenApply(HttpJson::ok));
    }));
  }

  private static Optional<Integer> parseCount(Optional<String> text, int defaultCount) {
    if (text.isEmpty()) {
      return Optional.of(defaultCount);
    }
    try {
      int n = Integer.parseInt(text.get().trim());
      return n >= 1 ? Optional.of(n) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
