package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rekko.log.format = json}: a node in a JVM of its own (its logback is the node's, not the tests')
 * writes one JSON object per line, each with the node's address; a slot's migration line names its slot
 * (MDC) and its groups (key-values).
 */
class JsonLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void jsonLinesCarryTheNodeAndAMigrationsSlotAndGroup() throws Exception {
    try (RedisServer g1 = RedisServer.builder().start(); RedisServer g2 = RedisServer.builder().start();
        ForkedNode node = ForkedNode.start(dir, "1=" + g1.address() + ";2=" + g2.address(),
            Map.of("rekko.log.format", "json"), List.of(), nodesLogback())) {
      node.awaitServing(Duration.ofSeconds(60));
      HttpResponse<String> moved = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + node.adminPort() + "/api/slots/migrate"))
          .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
          .POST(HttpRequest.BodyPublishers.ofString("{\"from\": 0, \"to\": 0, \"group\": 2}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
      node.awaitApi("/api/slots/0", "\"group\":2", Duration.ofSeconds(60));

      List<JsonNode> lines = jsonLines(node);
      JsonNode serving = find(lines, "serving RESP").orElseThrow(() -> new AssertionError(node.tail()));
      String address = serving.path("context").path("properties").path("node").asText();
      assertThat(address).startsWith("pekko://rekko@127.0.0.1:");
      assertThat(serving.path("level").asText()).isEqualTo("INFO");
      assertThat(serving.path("loggerName").asText()).isEqualTo("dev.rekko.node.RekkoNode");

      JsonNode barrier = find(lines, "slot 0: barrier").orElseThrow(() -> new AssertionError(node.tail()));
      assertThat(barrier.path("context").path("properties").path("node").asText()).isEqualTo(address);
      assertThat(barrier.path("mdc").path("slot").asText()).isEqualTo("0");
      assertThat(keyValues(barrier)).containsEntry("group", "1").containsEntry("migration", "1->2");
      // Logback's own start-up report (printed when its configuration warns, e.g. of an unused appender).
      assertThat(node.logText()).doesNotContain("|-WARN in ch.qos.logback").doesNotContain("|-INFO in ch.qos.logback");
    }
  }

  /** The node's own logback.xml, not the tests' logback-test.xml that the forked JVM's class path also has. */
  private static String nodesLogback() throws Exception {
    return "-Dlogback.configurationFile=" + Path.of(JsonLogTest.class.getClassLoader().getResource("logback.xml").toURI());
  }

  /** Every line of the output that is a JSON object (the JVM's own lines are not). */
  private static List<JsonNode> jsonLines(ForkedNode node) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : node.logText().split("\n")) {
      if (line.startsWith("{")) {
        out.add(JSON.readTree(line));
      }
    }
    return out;
  }

  private static Optional<JsonNode> find(List<JsonNode> lines, String text) {
    return lines.stream().filter(l -> l.path("formattedMessage").asText().contains(text)).findFirst();
  }

  /** logback's kvpList: an array of one-entry objects. */
  private static Map<String, String> keyValues(JsonNode line) {
    Map<String, String> out = new java.util.HashMap<>();
    line.path("kvpList").forEach(kv -> kv.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText())));
    return out;
  }
}
