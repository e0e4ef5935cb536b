package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rekko.redis.launcher.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * What the data path records shows on the node's HTTP API: per-command calls and errors, sessions and
 * backends in {@code /api/stats}, and the same counts in Prometheus form on {@code /metrics}. This
 * class owns its node, so the counts are exact.
 */
class StatsEndpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).perClass();

  private static String get(String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + fx.node().httpPort() + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s", path).isEqualTo(200);
    return r.body();
  }

  private static JsonNode command(JsonNode stats, String name) {
    for (JsonNode c : stats.get("commands")) {
      if (c.get("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no stats for " + name + " in " + stats.get("commands"));
  }

  @Test
  void commandsErrorsSessionsAndBackendsShowInStatsAndMetrics() throws Exception {
    Jedis j = fx.jedis();
    for (int i = 0; i < 25; i++) {
      j.set("stats:" + i, "v");
    }
    for (int i = 0; i < 30; i++) {
      assertThat(j.get("stats:" + i)).isEqualTo(i < 25 ? "v" : null);
    }
    // Two failed GETs: one the backend refuses (wrong type), one the node refuses (arity).
    j.lpush("stats:list", "x");
    try {
      j.get("stats:list");
      throw new AssertionError("GET of a list must fail");
    } catch (JedisDataException expected) {
      assertThat(expected.getMessage()).startsWith("WRONGTYPE");
    }
    RespSocket raw = fx.socket();
    assertThat(raw.call("GET")).isInstanceOf(RespSocket.Err.class);

    JsonNode stats = JSON.readTree(get("/api/stats"));
    assertThat(stats.get("online").asBoolean()).isTrue();
    JsonNode getStats = command(stats, "GET");
    assertThat(getStats.get("calls").asLong()).isEqualTo(32);
    assertThat(getStats.get("fails").asLong()).isEqualTo(2);
    assertThat(command(stats, "SET").get("calls").asLong()).isEqualTo(25);
    assertThat(command(stats, "SET").get("fails").asLong()).isZero();
    assertThat(command(stats, "LPUSH").get("calls").asLong()).isEqualTo(1);
    assertThat(stats.get("ops").get("total").asLong()).isGreaterThanOrEqualTo(58);
    assertThat(stats.get("ops").get("fails").asLong()).isGreaterThanOrEqualTo(2);
    assertThat(stats.get("sessions").get("alive").asLong()).isGreaterThanOrEqualTo(2);

    List<String> servers = new ArrayList<>();
    for (JsonNode b : stats.get("backends")) {
      servers.add(b.get("server").asText());
      assertThat(b.get("up").asBoolean()).as("backend %s up", b).isTrue();
      assertThat(b.get("database").asInt()).isZero();
    }
    assertThat(servers).containsAll(fx.masters().stream().map(RedisServer::address).toList());

    String metrics = get("/metrics");
    assertThat(metrics).contains(
        "rekko_commands_total{command=\"GET\"} 32.0\n",
        "rekko_command_errors_total{command=\"GET\"} 2.0\n",
        "rekko_commands_total{command=\"SET\"} 25.0\n",
        "rekko_command_duration_seconds_count{command=\"GET\"} 32\n");
    for (RedisServer m : fx.masters()) {
      assertThat(metrics).contains("rekko_backend_up{db=\"0\",server=\"" + m.address() + "\"} 1.0\n");
    }
  }
}
