package dev.rekko.coordinator.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.topology.Topology;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /api/groups}: list and show groups; create, remove, add and remove servers, promote, replica-read. */
final class GroupRoutes extends ApiDirectives {
  private final Supplier<Topology> topology;
  private final Supplier<CompletionStage<ApiViews.Health>> health;

  GroupRoutes(TokenCheck token, CoordinatorCall coordinator, Supplier<Topology> topology,
      Supplier<CompletionStage<ApiViews.Health>> health) {
    super(token, coordinator);
    this.topology = topology;
    this.health = health;
  }

  Route route() {
    return pathPrefix("groups", () -> concat(
        pathEnd(() -> concat(
            get(() -> completeWithFuture(health.get().thenApply(h ->
                HttpJson.ok(ApiViews.groups(topology.get(), h))))),
            post(() -> mutating(() -> withJson(body -> {
              int id = groupField(body, "id");
              return ask(replyTo -> new Coordinator.CreateGroup(id, replyTo));
            }))))),
        pathPrefix(segment(), raw -> concat(
            pathEnd(() -> concat(
                get(() -> withGroupId(raw, this::show)),
                delete(() -> mutating(() -> withGroupId(raw, id ->
                    ask(replyTo -> new Coordinator.RemoveGroup(id, replyTo))))))),
            path("servers", () -> post(() -> mutating(() -> withGroupId(raw, id -> withJson(body -> {
              String addr = body.requiredString("addr");
              String datacenter = body.optionalString("datacenter").orElse("");
              return ask(replyTo -> new Coordinator.AddServer(id, addr, datacenter, replyTo));
            }))))),
            // Pekko decodes the segment, so 127.0.0.1%3A6379 arrives as 127.0.0.1:6379.
            path(segment("servers").slash(segment()), addr -> delete(() -> mutating(() -> withGroupId(raw, id ->
                ask(replyTo -> new Coordinator.RemoveServer(id, addr, replyTo)))))),
            path("promote", () -> post(() -> mutating(() -> withGroupId(raw, id -> withJson(body -> {
              String addr = body.requiredString("addr");
              return ask(replyTo -> new Coordinator.Promote(id, addr, replyTo));
            }))))),
            path("replica-read", () -> post(() -> mutating(() -> withGroupId(raw, id -> withJson(body -> {
              boolean enabled = body.requiredBoolean("enabled");
              return ask(replyTo -> new Coordinator.SetReplicaRead(id, enabled, replyTo));
            })))))))));
  }

  private Route show(int id) {
    if (topology.get().group(id).isEmpty()) {
      return notFound("no such group: " + id);
    }
    return completeWithFuture(health.get().thenApply(h -> {
      Topology t = topology.get();
      return t.group(id).map(g -> HttpJson.ok(ApiViews.GroupView.of(g, t, h)))
          .orElseGet(() -> HttpJson.error(StatusCodes.NOT_FOUND, "no such group: " + id));
    }));
  }
}
