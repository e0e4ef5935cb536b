package dev.rekko.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.stats.NodeStats;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The console's files as a real server serves them, behind the API's routes (as in NodeRoutes). */
class ConsoleRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ActorSystem<Void> system;
  private static NodeStats stats;
  private static AdminHttpServer server;

  @BeforeAll
  static void start() throws Exception {
    // A local ActorSystem: the routes need no cluster, and a fixed cluster port could be taken.
    system = ActorSystem.create(Behaviors.empty(), "console-test", ConfigFactory.parseString("pekko.actor.provider = local")
        .withFallback(NodeConfig.of(Map.of("rekko.dispatcher.parallelism", "2")).config()));
    stats = NodeStats.create();
    server = AdminHttpServer.start(system, "127.0.0.1", 0,
        List.of(new StatsRoutes(stats), new MetricsRoutes(stats), new ConsoleRoutes()))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    LocalHttp.stop(stats, system, server);
  }

  private static HttpResponse<String> send(String method, String path) throws Exception {
    return LocalHttp.send(method, path, server.port());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return send("GET", path);
  }

  @Test
  void theRootIsThePage() throws Exception {
    HttpResponse<String> r = get("/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=UTF-8");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
    assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(ConsoleRoutes.CSP);
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.body()).contains("<script type=\"module\" src=\"/console/main.js\"></script>",
        "href=\"/console/console.css\"", "href=\"/console/icon.svg\"");
  }

  @Test
  void assetsHaveTheirContentTypes() throws Exception {
    assertThat(get("/console/main.js").headers().firstValue("Content-Type")).hasValue("text/javascript; charset=UTF-8");
    assertThat(get("/console/console.css").headers().firstValue("Content-Type")).hasValue("text/css; charset=UTF-8");
    assertThat(get("/console/icon.svg").headers().firstValue("Content-Type")).hasValue("image/svg+xml");
    HttpResponse<String> js = get("/console/api.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("Cache-Control")).hasValue("no-cache");
    assertThat(js.headers().firstValue("ETag")).isPresent();
  }

  @Test
  void everyModuleAScriptImportsIsServed() throws Exception {
    Pattern imports = Pattern.compile("from '\\./([a-z-]+\\.js)'");
    String main = get("/console/main.js").body();
    Matcher m = imports.matcher(main);
    int count = 0;
    while (m.find()) {
      HttpResponse<String> module = get("/console/" + m.group(1));
      assertThat(module.statusCode()).as(m.group(1)).isEqualTo(200);
      Matcher inner = imports.matcher(module.body());
      while (inner.find()) {
        assertThat(get("/console/" + inner.group(1)).statusCode()).as(inner.group(1)).isEqualTo(200);
      }
      count++;
    }
    assertThat(count).isGreaterThanOrEqualTo(5);
  }

  @Test
  void unknownOrOutsideFilesAre404Json() throws Exception {
    for (String path : List.of("/console/nope.js", "/console/version.properties", "/console/../version.properties",
        "/console/%2e%2e%2fversion.properties", "/console/", "/console", "/index.html", "/console/sub/main.js")) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(r.headers().firstValue("Content-Type")).as(path).hasValue("application/json");
      assertThat(JSON.readTree(r.body()).get("error").asText()).as(path).startsWith("no such resource: GET ");
    }
  }

  @Test
  void onlyGet() throws Exception {
    HttpResponse<String> r = send("POST", "/");
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains("GET");
  }

  @Test
  void theApiAndMetricsAreUnaffected() throws Exception {
    HttpResponse<String> stats = get("/api/stats");
    assertThat(stats.statusCode()).isEqualTo(200);
    assertThat(stats.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(stats.headers().firstValue("Content-Security-Policy")).isEmpty();
    assertThat(get("/metrics").statusCode()).isEqualTo(200);
    HttpResponse<String> missing = get("/api/history");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(missing.body()).get("error").asText()).isEqualTo("no such resource: GET /api/history");
  }
}
