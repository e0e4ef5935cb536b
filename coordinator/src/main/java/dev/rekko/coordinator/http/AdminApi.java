package dev.rekko.coordinator.http;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.topology.Topology;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The HTTP API v1 under {@code /api} (see docs/api.md): reads answer from this node's topology, operations
 * ask the coordinator singleton. Every node serves it, so an operator can use any of them.
 *
 * <p>The route only describes its own paths; what it does not match it rejects, and the server that mounts
 * it turns rejections into JSON errors (404, 405) as the node's {@code AdminHttpServer} does. Reads are
 * open; POST and DELETE need {@code Content-Type: application/json} ({@link JsonOnly}) and the admin token
 * when one is set.
 */
public final class AdminApi {
  private AdminApi() {}

  /**
   * @param system      for asking the coordinator
   * @param coordinator the singleton's proxy
   * @param topology    this node's latest topology, read on every request ({@link Topology#EMPTY} before
   *                    it is loaded)
   * @param serverUp    this node's view of a backend server's health by {@code host:port}; empty = unknown
   * @param settings    token and ask timeout
   */
  public static Route routes(ActorSystem<?> system, ActorRef<Coordinator.Command> coordinator,
      Supplier<Topology> topology, Function<String, Optional<Boolean>> serverUp, AdminApiSettings settings) {
    TokenCheck token = new TokenCheck(settings.token());
    CoordinatorCall call = new CoordinatorCall(system, coordinator, settings.askTimeout(),
        group -> ApiViews.GroupView.of(group, topology.get(), serverUp));
    Directives d = new Directives();
    return d.pathPrefix("api", () -> d.concat(
        new TopologyRoutes(topology, serverUp).route(),
        new GroupRoutes(token, call, topology, serverUp).route(),
        new SlotRoutes(token, call, topology).route()));
  }

  /** Directive methods for the static method above. */
  private static final class Directives extends AllDirectives {}
}
