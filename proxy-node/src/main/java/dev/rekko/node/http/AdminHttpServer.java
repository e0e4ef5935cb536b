package dev.rekko.node.http;

import dev.rekko.coordinator.http.HttpJson;
import dev.rekko.node.config.AdminSettings;
import dev.rekko.node.config.AdminTls;
import dev.rekko.node.tls.ReloadingContext;
import dev.rekko.redis.tls.TlsContexts;
import java.io.IOException;
import dev.rekko.node.stats.NodeStats;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP listener ({@code rekko.admin.host:port}, HTTPS with {@code rekko.admin.tls}): the API under {@code /api}, Prometheus
 * {@code /metrics}, and whatever further {@link RouteGroup}s are given. Anything unmatched or failing
 * is answered with {@code {"error": "..."}} and a fitting status (404, 405, 400, 500). A route that changes
 * something takes only JSON calls: wrap it in {@code dev.rekko.coordinator.http.JsonOnly.guard}, as the API's are.
 */
public final class AdminHttpServer {
  private static final Logger log = LoggerFactory.getLogger(AdminHttpServer.class);
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(3);

  private final ServerBinding binding;

  private AdminHttpServer(ServerBinding binding) {
    this.binding = binding;
  }

  /** The routes every node serves today: {@code GET /api/stats} and {@code GET /metrics}. */
  public static List<RouteGroup> statsRoutes(NodeStats stats) {
    return List.of(new StatsRoutes(stats), new MetricsRoutes(stats));
  }

  /** Binds {@code admin.host:admin.port} with {@link #statsRoutes}, over HTTPS when {@code admin.tls()} says so. */
  public static CompletionStage<AdminHttpServer> start(
      ClassicActorSystemProvider system, AdminSettings admin, NodeStats stats) {
    return start(system, admin.host(), admin.port(), admin.tls(), statsRoutes(stats));
  }

  /** Binds {@code host:port} (0 = a free port) over plain HTTP serving {@code groups}, tried in order. */
  public static CompletionStage<AdminHttpServer> start(
      ClassicActorSystemProvider system, String host, int port, List<RouteGroup> groups) {
    return start(system, host, port, AdminTls.OFF, groups);
  }

  /**
   * Binds {@code host:port} (0 = a free port) serving {@code groups}, tried in order, over HTTPS when
   * {@code tls} is enabled; its files are read before binding (a failure completes the stage with it).
   */
  public static CompletionStage<AdminHttpServer> start(
      ClassicActorSystemProvider system, String host, int port, AdminTls tls, List<RouteGroup> groups) {
    ServerBuilder server = Http.get(system).newServerAt(host, port);
    if (tls.enabled()) {
      try {
        server = server.enableHttps(https(tls));
      } catch (IOException | GeneralSecurityException e) {
        return CompletableFuture.failedFuture(new IllegalStateException("rekko.admin.tls: " + e.getMessage(), e));
      }
    }
    return server.bind(route(groups))
        .thenApply(binding -> {
          log.info("{} API listening on {}", tls.enabled() ? "HTTPS" : "HTTP", binding.localAddress());
          return new AdminHttpServer(binding);
        });
  }

  /**
   * A TLS engine per connection from the files' current context ({@link ReloadingContext}: a rotated
   * certificate serves the next connection), asking for a client certificate as {@code client-auth} says.
   */
  static HttpsConnectionContext https(AdminTls tls) throws IOException, GeneralSecurityException {
    Optional<Path> ca = tls.clientAuth() == AdminTls.ClientAuth.NONE ? Optional.empty() : tls.ca();
    List<Path> files = new ArrayList<>(List.of(tls.cert(), tls.key()));
    ca.ifPresent(files::add);
    ReloadingContext context = ReloadingContext.open("admin HTTPS", files,
        () -> TlsContexts.server(tls.cert(), tls.key(), ca));
    return ConnectionContext.httpsServer(() -> {
      SSLEngine engine = context.current().createSSLEngine();
      engine.setUseClientMode(false);
      engine.setEnabledProtocols(TlsContexts.PROTOCOLS);
      switch (tls.clientAuth()) {
        case REQUIRED -> engine.setNeedClientAuth(true);
        case OPTIONAL -> engine.setWantClientAuth(true);
        case NONE -> { }
      }
      return engine;
    });
  }

  /** The complete route: the groups, plus JSON for rejections and exceptions. */
  public static Route route(List<RouteGroup> groups) {
    Directives d = new Directives();
    Route[] routes = groups.stream().map(RouteGroup::route).toArray(Route[]::new);
    Route all = routes.length == 0 ? d.reject() : d.concat(routes[0], Arrays.copyOfRange(routes, 1, routes.length));
    return d.handleExceptions(exceptions(), () -> d.handleRejections(rejections(d), () -> all));
  }

  public int port() {
    return binding.localAddress().getPort();
  }

  public InetSocketAddress address() {
    return binding.localAddress();
  }

  /** Stops accepting, lets requests in progress finish for up to 3 s, then closes connections. */
  public CompletionStage<Done> stop() {
    return binding.terminate(STOP_DEADLINE).thenApply(terminated -> Done.getInstance());
  }

  private static RejectionHandler rejections(Directives d) {
    return RejectionHandler.newBuilder()
        .handleNotFound(d.extractRequest(request -> d.complete(HttpJson.error(StatusCodes.NOT_FOUND,
            "no such resource: " + request.method().name() + " " + request.getUri().path()))))
        .build()
        .withFallback(RejectionHandler.defaultHandler().mapRejectionResponse(HttpJson::asJsonError));
  }

  private static ExceptionHandler exceptions() {
    Directives d = new Directives();
    return ExceptionHandler.newBuilder()
        .matchAny(e -> {
          log.warn("HTTP request failed", e);
          return d.complete(HttpJson.error(StatusCodes.INTERNAL_SERVER_ERROR, "internal error: " + e));
        })
        .build();
  }

  /** Directive methods for the static helpers above. */
  private static final class Directives extends AllDirectives {}
}
