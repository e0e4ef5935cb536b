package dev.rekko.node.http;

import static dev.rekko.node.http.LocalHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rekko.node.config.AdminSettings;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.stats.BackendStatus;
import dev.rekko.node.stats.NodeStats;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdminHttpServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ActorSystem<Void> system;
  private static NodeStats stats;
  private static AdminHttpServer server;

  @BeforeAll
  static void start() throws Exception {
    // The node's own config, so this also shows Pekko starts with the dispatcher recipe applied.
    system = ActorSystem.create(Behaviors.empty(), "http-test",
        NodeConfig.of(Map.of("rekko.dispatcher.parallelism", "2", "rekko.cluster.port", "0")).config());
    stats = NodeStats.create();
    stats.setOnline(true);
    stats.command("GET").record(150_000, false);
    stats.command("GET").record(250_000, false);
    stats.command("SET").record(300_000, true);
    stats.sessionOpened();
    stats.registerBackends(() -> List.of(new BackendStatus("127.0.0.1:6379", 0, true, 4, "")));
    server = AdminHttpServer.start(system, new AdminSettings("127.0.0.1", 0, ""), stats)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    LocalHttp.stop(stats, system, server);
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return send("GET", path, server.port());
  }

  @Test
  void boundOnLoopbackWithAFreePort() {
    assertThat(server.port()).isPositive();
    assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
  }

  @Test
  void statsAsJson() throws Exception {
    HttpResponse<String> r = get("/api/stats");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode json = JSON.readTree(r.body());
    assertThat(json.get("online").asBoolean()).isTrue();
    assertThat(json.at("/ops/total").asLong()).isGreaterThanOrEqualTo(3);
    assertThat(json.at("/ops/fails").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(json.at("/sessions/alive").asLong()).isEqualTo(1);
    JsonNode get = json.at("/commands/0");
    assertThat(get.get("name").asText()).isEqualTo("GET");
    assertThat(get.get("usecPerCall").asLong()).isEqualTo(200);
    assertThat(get.get("p99Usec").asLong()).isBetween(240L, 260L);
    assertThat(json.at("/backends/0/server").asText()).isEqualTo("127.0.0.1:6379");
    assertThat(json.at("/runtime/heapUsed").asLong()).isPositive();
  }

  @Test
  void eachRequestSeesCurrentNumbers() throws Exception {
    long before = JSON.readTree(get("/api/stats").body()).at("/ops/total").asLong();
    stats.command("PING").record(10_000, false);
    assertThat(JSON.readTree(get("/api/stats").body()).at("/ops/total").asLong()).isEqualTo(before + 1);
  }

  @Test
  void prometheusMetrics() throws Exception {
    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElseThrow().replace(" ", "").toLowerCase())
        .isEqualTo("text/plain;version=0.0.4;charset=utf-8");
    List<String> lines = r.body().lines().toList();
    assertThat(lines).contains(
        "# TYPE rekko_commands_total counter",
        "rekko_commands_total{command=\"GET\"} 2.0",
        "rekko_commands_total{command=\"SET\"} 1.0",
        "rekko_command_errors_total{command=\"GET\"} 0.0",
        "rekko_command_errors_total{command=\"SET\"} 1.0",
        "# TYPE rekko_command_duration_seconds histogram",
        "rekko_command_duration_seconds_bucket{command=\"GET\",le=\"1.0E-4\"} 0",
        "rekko_command_duration_seconds_bucket{command=\"GET\",le=\"5.0E-4\"} 2",
        "rekko_command_duration_seconds_bucket{command=\"GET\",le=\"+Inf\"} 2",
        "rekko_command_duration_seconds_count{command=\"GET\"} 2",
        "# TYPE rekko_errors_total counter",
        "rekko_sessions_alive 1.0",
        "rekko_sessions_total 1.0",
        "rekko_online 1.0",
        "rekko_fenced 0.0",
        "rekko_backend_up{db=\"0\",server=\"127.0.0.1:6379\"} 1.0",
        "rekko_backend_inflight{db=\"0\",server=\"127.0.0.1:6379\"} 4.0",
        "# TYPE rekko_barrier_duration_seconds histogram",
        "# TYPE rekko_hold_duration_seconds histogram",
        "# TYPE rekko_client_memory_used_bytes gauge",
        "# TYPE rekko_jvm_heap_used_bytes gauge",
        "# TYPE rekko_uptime_seconds gauge");
    assertThat(lines).anyMatch(l -> l.startsWith("rekko_ops_per_second "));
    String sum = lines.stream().filter(l -> l.startsWith("rekko_command_duration_seconds_sum{command=\"GET\"} "))
        .findFirst().orElseThrow();
    assertThat(Double.parseDouble(sum.substring(sum.indexOf("} ") + 2))).isCloseTo(4.0e-4, org.assertj.core.data.Offset.offset(1e-12));
    // Every sample line is "name{labels} number" or "name number".
    assertThat(lines.stream().filter(l -> !l.startsWith("#")))
        .allMatch(l -> l.matches("[a-z_]+(\\{[^}]*\\})? -?([0-9.E-]+|\\+Inf)"));
  }

  @Test
  void unknownPathIs404Json() throws Exception {
    HttpResponse<String> r = get("/api/nothing-here");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("no such resource: GET /api/nothing-here");
  }

  @Test
  void wrongMethodIs405JsonWithAllow() throws Exception {
    HttpResponse<String> r = send("POST", "/api/stats", server.port());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains("not allowed", "GET");
  }

  @Test
  void moreRouteGroupsAndFailuresAsJson() throws Exception {
    class Failing extends AllDirectives implements RouteGroup {
      @Override
      public org.apache.pekko.http.javadsl.server.Route route() {
        return path("boom", () -> get(() -> extractRequest(req -> {
          throw new IllegalStateException("kaput");
        })));
      }
    }
    AdminHttpServer other = AdminHttpServer.start(system, "127.0.0.1", 0,
        List.of(new StatsRoutes(stats), new Failing())).toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      assertThat(send("GET", "/api/stats", other.port()).statusCode()).isEqualTo(200);
      HttpResponse<String> r = send("GET", "/boom", other.port());
      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(JSON.readTree(r.body()).get("error").asText()).contains("kaput");
      assertThat(send("GET", "/metrics", other.port()).statusCode()).isEqualTo(404);
    } finally {
      other.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
