package dev.rekko.coordinator.http;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.topology.Topology;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The HTTP API v1 under {@code /api} (see docs/api.md): reads answer from this node's topology, operations
 * ask the coordinator singleton. Every node serves it, so an operator can use any of them. The reads that
 * show servers ask the coordinator for their health too, briefly ({@link #HEALTH_TIMEOUT}), and show this
 * node's own view when it does not answer.
 *
 * <p>The route only describes its own paths; what it does not match it rejects, and the server that mounts
 * it turns rejections into JSON errors (404, 405) as the node's {@code AdminHttpServer} does. Reads are
 * open; POST and DELETE need {@code Content-Type: application/json} ({@link JsonOnly}) and the admin token
 * when one is set.
 */
public final class AdminApi {
  /** How long a read waits for the coordinator's health view before it shows this node's own. */
  public static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(1);

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
        group -> ApiViews.GroupView.of(group, topology.get(), ApiViews.Health.local(serverUp)));
    Duration healthTimeout = settings.askTimeout().compareTo(HEALTH_TIMEOUT) < 0 ? settings.askTimeout()
        : HEALTH_TIMEOUT;
    Supplier<CompletionStage<ApiViews.Health>> health = () -> quorumHealth(system, coordinator, healthTimeout)
        .thenApply(view -> new ApiViews.Health(view.<Map<String, Coordinator.QuorumHealth>>map(
            Coordinator.HealthView::servers).orElse(Map.of()),
            serverUp));
    Directives d = new Directives();
    return d.pathPrefix("api", () -> d.concat(
        new TopologyRoutes(topology, health).route(),
        new GroupRoutes(token, call, topology, health).route(),
        new SlotRoutes(token, call, topology).route()));
  }

  /**
   * The coordinator's {@link Coordinator.HealthView}: every server's health as the quorum of nodes sees it
   * and the HA counters. Empty when the coordinator does not answer within {@code timeout} (it may be
   * moving to another node) or answers anything else; never fails.
   */
  public static CompletionStage<Optional<Coordinator.HealthView>> quorumHealth(ActorSystem<?> system,
      ActorRef<Coordinator.Command> coordinator, Duration timeout) {
    return AskPattern.<Coordinator.Command, Coordinator.Result>ask(coordinator, Coordinator.GetHealth::new, timeout,
            system.scheduler())
        .handle((result, failure) -> result instanceof Coordinator.HealthView view
            ? Optional.of(view) : Optional.<Coordinator.HealthView>empty());
  }

  /** Directive methods for the static method above. */
  private static final class Directives extends AllDirectives {}
}
