package dev.rekko.node.http;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.coordinator.http.AdminApi;
import dev.rekko.coordinator.http.AdminApiSettings;
import dev.rekko.node.config.AdminTls;
import dev.rekko.node.stats.NodeStats;
import dev.rekko.redis.backend.BackendOptions;
import dev.rekko.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Every HTTP route a node serves, in the order {@link AdminHttpServer} tries them: readiness
 * ({@code /api/ready}), liveness ({@code /api/alive}), the admin API v1 (coordinator's {@link AdminApi}), stats
 * and metrics (with the coordinator's HA counters and replica lag), and last the web console ({@code /}, {@link ConsoleRoutes}).
 */
public final class NodeRoutes {
  private NodeRoutes() {}

  /** What the routes read of the running node, on every request. */
  public interface Node {
    /** The topology the routing table follows now. */
    Topology topology();

    /** Whether client commands are routed (loaded and not fenced). */
    boolean serving();

    /** Whether the node refuses commands because it lost the majority. */
    boolean fenced();

    /** Why the node is not a cluster member yet; empty once it is. */
    Optional<String> joining();

    /** This node's view of a backend server ({@code host:port}): up, down, or unknown when unused. */
    Optional<Boolean> serverUp(String addr);

    /** This node's cluster address ({@code pekko://rekko@host:port}). */
    String address();

    /** Where this node serves the HTTP API ({@code host:port}); empty before it is bound. */
    String http();

    /** How this node connects to backend servers (credentials, TLS). */
    BackendOptions backends();

    /** The node's slow log, hot keys and big keys. */
    dev.rekko.node.observe.Observability observe();

    /** Why the node cannot recover in this process (for {@code /api/alive}); empty while it is alive. */
    default Optional<String> broken() {
      return Optional.empty();
    }
  }

  /**
   * @param api         the API's token and how long a call waits for the coordinator
   * @param coordinator this node's proxy to the coordinator singleton
   * @param tls         the HTTP listener's TLS, for {@link ClusterFetch} calls to the other nodes
   */
  public static List<RouteGroup> of(ActorSystem<?> system, AdminApiSettings api,
      ActorRef<Coordinator.Command> coordinator, Node node, NodeStats stats, AdminTls tls) {
    ClusterFetch cluster = new ClusterFetch(system, node::topology, tls);
    List<RouteGroup> routes = new ArrayList<>();
    // A node on its way out says so rather than "fenced" (its data path refuses like a fenced one).
    routes.add(new ReadyRoutes(node::topology, node::serving, () -> node.broken().or(node::joining), node::fenced));
    routes.add(new AliveRoutes(node::broken));
    routes.add(() -> AdminApi.routes(system, coordinator, node::topology, node::serverUp, api));
    routes.add(new StatsRoutes(stats));
    routes.add(new MetricsRoutes(stats, () -> coordinatorViews(system, coordinator), node::topology));
    routes.add(new HistoryRoutes(stats, node::address, node::http, node::fenced, cluster));
    routes.add(new ServersRoutes(node::topology, node.backends()));
    routes.add(new dev.rekko.node.observe.ObserveRoutes(node.observe(), node::topology, cluster));
    // Last: the console serves "/" and its static files.
    routes.add(new ConsoleRoutes());
    return routes;
  }

  /** The coordinator's health and migrations views for one scrape, each asked for at most a second. */
  private static CompletionStage<MetricsRoutes.CoordinatorViews> coordinatorViews(ActorSystem<?> system,
      ActorRef<Coordinator.Command> coordinator) {
    CompletionStage<Optional<Coordinator.MigrationsView>> migrations = AskPattern
        .<Coordinator.Command, Coordinator.Result>ask(coordinator, Coordinator.GetMigrations::new,
            AdminApi.HEALTH_TIMEOUT, system.scheduler())
        .handle((result, failure) -> result instanceof Coordinator.MigrationsView view
            ? Optional.of(view) : Optional.empty());
    return AdminApi.quorumHealth(system, coordinator, AdminApi.HEALTH_TIMEOUT)
        .thenCombine(migrations, MetricsRoutes.CoordinatorViews::new);
  }
}
