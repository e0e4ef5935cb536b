package dev.rekko.node.http;

import dev.rekko.coordinator.http.HttpJson;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/alive}: 200 while the process can still do its work, even when it does not serve yet
 * (not a member, loading the topology, fenced: {@code /api/ready} says that, and each of those passes
 * by itself); 503 with the {@code reason} only when the node is beyond recovery in this process — what a
 * liveness probe asks before it restarts the process. Waiting must never be answered with 503 here: a
 * probe would then restart a node that was about to join, or fenced during a partition, and the restart
 * would not help.
 */
public final class AliveRoutes extends AllDirectives implements RouteGroup {
  private final Supplier<Optional<String>> broken;

  /** @param broken why the node cannot recover in this process; empty while it is alive */
  public AliveRoutes(Supplier<Optional<String>> broken) {
    this.broken = broken;
  }

  @Override
  public Route route() {
    return path(PathMatchers.segment("api").slash("alive"), () -> get(() -> {
      Optional<String> why = broken.get();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("alive", why.isEmpty());
      why.ifPresent(reason -> body.put("reason", reason));
      return complete(HttpJson.response(why.isEmpty() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body));
    }));
  }
}
