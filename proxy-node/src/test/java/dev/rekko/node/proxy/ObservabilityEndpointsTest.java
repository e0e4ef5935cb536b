package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rekko.node.RekkoNode;
import dev.rekko.redis.launcher.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The observability endpoints of a real node in front of real Redis servers: {@code /metrics} parsed as
 * Prometheus would (histogram series, cumulative buckets, counts growing with commands through Jedis,
 * the same {@code le} set on two nodes), {@code /api/history} and {@code /api/servers}.
 */
class ObservabilityEndpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern SAMPLE = Pattern.compile("([a-z_]+)(\\{([^}]*)\\})? (\\S+)");
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).perClass();

  private static String get(RekkoNode node, String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return r.body();
  }

  /** Every sample of {@code /metrics}: "name{labels}" → value. */
  private static Map<String, Double> scrape(RekkoNode node) throws Exception {
    Map<String, Double> samples = new TreeMap<>();
    for (String line : get(node, "/metrics").lines().toList()) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("a sample line: %s", line).isTrue();
      samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(4)));
    }
    return samples;
  }

  /** The buckets of one series, by upper bound in exposition order (+Inf last). */
  private static List<double[]> buckets(Map<String, Double> samples, String name, String labels) {
    List<double[]> out = new ArrayList<>();
    String prefix = name + "_bucket{" + (labels.isEmpty() ? "" : labels + ",") + "le=\"";
    samples.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        String le = k.substring(prefix.length(), k.length() - 2);
        out.add(new double[] {le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), v});
      }
    });
    out.sort((a, b) -> Double.compare(a[0], b[0]));
    return out;
  }

  @Test
  void commandAndBackendHistogramsGrowWithCommandsAndAreCumulative() throws Exception {
    Map<String, Double> before = scrape(fx.node());
    Jedis j = fx.jedis();
    for (int i = 0; i < 40; i++) {
      j.set("obs:" + i, "v");
      j.get("obs:" + i);
    }
    j.lpush("obs:list", "x");
    try {
      j.get("obs:list");
    } catch (JedisDataException expected) {
      assertThat(expected.getMessage()).startsWith("WRONGTYPE");
    }
    // Over rekko.observe.bigkeys.threshold (1 MiB): counted as a big request.
    j.set("obs:big".getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[1_100_000]);
    Map<String, Double> after = scrape(fx.node());

    String getCount = "rekko_command_duration_seconds_count{command=\"GET\"}";
    assertThat(after.get(getCount) - before.getOrDefault(getCount, 0.0)).isEqualTo(41.0);
    assertThat(after.get("rekko_commands_total{command=\"GET\"}")).isEqualTo(after.get(getCount));
    assertThat(after.get("rekko_errors_total{kind=\"WRONGTYPE\"}")
        - before.getOrDefault("rekko_errors_total{kind=\"WRONGTYPE\"}", 0.0)).isEqualTo(1.0);
    assertThat(after.get("rekko_bigkeys_total{direction=\"request\"}")
        - before.getOrDefault("rekko_bigkeys_total{direction=\"request\"}", 0.0)).isEqualTo(1.0);
    List<double[]> get = buckets(after, "rekko_command_duration_seconds", "command=\"GET\"");
    assertThat(get).hasSizeGreaterThan(10);
    for (int i = 1; i < get.size(); i++) {
      assertThat(get.get(i)[1]).as("cumulative at le=%s", get.get(i)[0]).isGreaterThanOrEqualTo(get.get(i - 1)[1]);
    }
    assertThat(get.get(get.size() - 1)[0]).isInfinite();
    assertThat(get.get(get.size() - 1)[1]).isEqualTo(after.get(getCount));

    for (RedisServer m : fx.masters()) {
      String label = "server=\"" + m.address() + "\"";
      String count = "rekko_backend_duration_seconds_count{" + label + "}";
      assertThat(after).containsKey(count);
      assertThat(after.get(count)).as("backend replies timed on %s", m.address())
          .isGreaterThan(before.getOrDefault(count, 0.0));
      List<double[]> b = buckets(after, "rekko_backend_duration_seconds", label);
      assertThat(b.get(b.size() - 1)[1]).isEqualTo(after.get(count));
    }
    assertThat(after).containsKeys("rekko_fenced", "rekko_client_memory_used_bytes", "rekko_client_memory_limit_bytes",
        "rekko_barrier_duration_seconds_count", "rekko_hold_duration_seconds_count", "rekko_sessions_alive");
    assertThat(after.get("rekko_fenced")).isZero();
  }

  @Test
  void twoNodesHaveTheSameBucketBoundsSoTheirHistogramsAddUp() throws Exception {
    RekkoNode second = fx.startNode(Map.of());
    try (Jedis a = fx.jedis(); Jedis b = fx.jedis(second)) {
      a.set("obs:two", "1");
      b.get("obs:two");
      TreeSet<Double> first = new TreeSet<>();
      buckets(scrape(fx.node()), "rekko_command_duration_seconds", "command=\"SET\"").forEach(x -> first.add(x[0]));
      TreeSet<Double> other = new TreeSet<>();
      buckets(scrape(second), "rekko_command_duration_seconds", "command=\"GET\"").forEach(x -> other.add(x[0]));
      assertThat(first).hasSizeGreaterThan(10).isEqualTo(other);
    }
  }

  @Test
  void historyHasOneSamplePerSecondWithThisNodesIdentity() throws Exception {
    Jedis j = fx.jedis();
    for (int i = 0; i < 20; i++) {
      j.incr("obs:history");
    }
    assertThat(ProxyFixture.await(Duration.ofSeconds(15), () -> {
      try {
        return JSON.readTree(get(fx.node(), "/api/history")).get("samples").size() >= 2;
      } catch (Exception e) {
        return false;
      }
    })).as("two samples within 15 s").isTrue();
    JsonNode h = JSON.readTree(get(fx.node(), "/api/history"));
    assertThat(h.get("node").asText()).startsWith("pekko://");
    assertThat(h.get("http").asText()).isEqualTo("127.0.0.1:" + fx.node().httpPort());
    assertThat(h.get("fenced").asBoolean()).isFalse();
    assertThat(h.get("intervalSeconds").asInt()).isEqualTo(1);
    assertThat(h.get("sessions").asLong()).isPositive();
    assertThat(h.has("opsPerSec")).isTrue();
    JsonNode samples = h.get("samples");
    long previous = 0;
    for (JsonNode s : samples) {
      assertThat(s.get("t").asLong()).isGreaterThan(previous);
      previous = s.get("t").asLong();
      assertThat(s.has("ops") && s.has("p99Usec") && s.has("sessions")).isTrue();
    }
    assertThat(samples.size()).isLessThanOrEqualTo(300);

    JsonNode cluster = JSON.readTree(get(fx.node(), "/api/history?scope=cluster"));
    assertThat(cluster.get("errors")).isEmpty();
    List<String> nodes = new ArrayList<>();
    cluster.get("nodes").forEach(n -> nodes.add(n.get("node").asText()));
    assertThat(nodes).contains(h.get("node").asText());
  }

  @Test
  void serversShowWhatEachServerSays() throws Exception {
    Jedis j = fx.jedis();
    for (int i = 0; i < 10; i++) {
      j.set("obs:servers:" + i, "v");
    }
    JsonNode servers = JSON.readTree(get(fx.node(), "/api/servers")).get("servers");
    List<String> addrs = new ArrayList<>();
    long keys = 0;
    for (JsonNode s : servers) {
      addrs.add(s.get("addr").asText());
      assertThat(s.get("error").isNull()).as("%s", s).isTrue();
      assertThat(s.get("role").asText()).isEqualTo("MASTER");
      assertThat(s.get("group").asInt()).isPositive();
      assertThat(s.get("usedMemory").asLong()).isPositive();
      assertThat(s.get("connectedClients").asLong()).isPositive();
      assertThat(s.has("opsPerSec")).isTrue();
      keys += s.get("keys").asLong();
    }
    assertThat(addrs).containsExactlyInAnyOrderElementsOf(fx.masters().stream().map(RedisServer::address).toList());
    assertThat(keys).isGreaterThanOrEqualTo(10);
  }
}
