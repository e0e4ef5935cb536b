package dev.rekko.node.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rekko.node.CliException;
import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.LocalRedisClient.RedisError;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when a demo is ready: on every node, {@code GET /api/topology} shows the topology loaded,
 * all slots assigned and all nodes {@code UP} ({@link TopologyCheck}), every node is at the same
 * epoch, and the node's RESP port answers {@code PING} with {@code PONG}. Fails at once when a node
 * process ends, and at the deadline with what each node still lacks.
 */
public final class ClusterReadiness {
  private static final Logger log = LoggerFactory.getLogger(ClusterReadiness.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);

  /** Where node {@code index} answers: its HTTP API and its RESP port (with the client password). */
  public record Endpoint(int index, String httpHost, int httpPort, String respHost, int respPort, String password) {}

  private final List<Endpoint> endpoints;
  private final List<? extends DemoNode> nodes;
  private final HttpClient http;
  private final String scheme;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param nodes the processes behind the endpoints, watched for an early exit; may be empty
   */
  public ClusterReadiness(List<Endpoint> endpoints, List<? extends DemoNode> nodes) {
    this(endpoints, nodes, Optional.empty());
  }

  /**
   * @param https when the nodes serve their API over HTTPS ({@code rekko.admin.tls}): a context trusting
   *              their CA (with a client certificate if they require one), e.g. from {@code TlsContexts.client}
   */
  public ClusterReadiness(List<Endpoint> endpoints, List<? extends DemoNode> nodes, Optional<SSLContext> https) {
    this.endpoints = List.copyOf(endpoints);
    this.nodes = List.copyOf(nodes);
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(REQUEST_TIMEOUT);
    https.ifPresent(b::sslContext);
    this.http = b.build();
    this.scheme = https.isPresent() ? "https" : "http";
  }

  /**
   * Returns once every node is ready.
   *
   * @throws CliException when a node has exited (its exit code and the end of its log), or at the
   *     deadline, naming what each node still lacked
   */
  public void await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    log.info("waiting up to {} for {} node(s) to form the cluster and serve", seconds(timeout), endpoints.size());
    while (true) {
      failIfExited();
      Map<Integer, List<String>> missing = missing();
      if (missing.isEmpty()) {
        return;
      }
      if (System.nanoTime() - deadline >= 0) {
        // A node that died during the last round explains more than the timeout does.
        failIfExited();
        throw new CliException(timeoutMessage(timeout, missing));
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  /** One round over all nodes: what each node that is not ready yet lacks, by node index. */
  public Map<Integer, List<String>> missing() throws InterruptedException {
    Map<Integer, List<String>> problems = new LinkedHashMap<>();
    Map<Integer, Long> epochs = new LinkedHashMap<>();
    for (Endpoint e : endpoints) {
      List<String> p = new ArrayList<>();
      problems.put(e.index(), p);
      JsonNode topology = fetchTopology(e, p);
      if (topology != null) {
        List<String> found = TopologyCheck.problems(topology, endpoints.size());
        p.addAll(found);
        OptionalLong epoch = TopologyCheck.epoch(topology);
        if (!found.contains("not loaded") && epoch.isPresent()) {
          epochs.put(e.index(), epoch.getAsLong());
        }
      }
      ping(e).ifPresent(p::add);
    }
    // Until every node applied the newest epoch, some of them route by an older table.
    long newest = epochs.values().stream().mapToLong(Long::longValue).max().orElse(0);
    epochs.forEach((index, epoch) -> {
      if (epoch != newest) {
        problems.get(index).add("at epoch " + epoch + ", another node at " + newest);
      }
    });
    problems.values().removeIf(List::isEmpty);
    return problems;
  }

  private JsonNode fetchTopology(Endpoint e, List<String> problems) throws InterruptedException {
    URI uri = URI.create(scheme + "://" + e.httpHost() + ":" + e.httpPort() + "/api/topology");
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        problems.add("GET /api/topology answered " + response.statusCode());
        return null;
      }
      return json.readTree(response.body());
    } catch (JsonProcessingException ex) {
      problems.add("GET /api/topology answered no JSON (" + ex.getOriginalMessage() + ")");
      return null;
    } catch (IOException ex) {
      problems.add("HTTP not answering (" + describe(ex) + ")");
      return null;
    }
  }

  private static Optional<String> ping(Endpoint e) {
    String where = "RESP " + e.respPort();
    try (LocalRedisClient client = new LocalRedisClient(e.respHost(), e.respPort(), (int) REQUEST_TIMEOUT.toMillis())) {
      if (!e.password().isEmpty()) {
        client.call("AUTH", e.password());
      }
      Object reply = client.call("PING");
      if ("PONG".equals(reply)) {
        return Optional.empty();
      }
      return Optional.of(where + ": PING answered "
          + (reply instanceof RedisError err ? err.message() : String.valueOf(reply)));
    } catch (IOException ex) {
      return Optional.of(where + " not answering (" + describe(ex) + ")");
    }
  }

  private void failIfExited() {
    for (int i = 0; i < nodes.size(); i++) {
      OptionalInt code = nodes.get(i).exitCode();
      if (code.isPresent()) {
        String tail = nodes.get(i).logTail();
        int index = i < endpoints.size() ? endpoints.get(i).index() : i;
        throw new CliException("node " + index + " exited with code " + code.getAsInt()
            + " before the demo was ready" + (tail.isBlank()
                ? " (it wrote nothing)"
                : "; the end of its output:\n" + indent(tail)));
      }
    }
  }

  private String timeoutMessage(Duration timeout, Map<Integer, List<String>> missing) {
    Map<Integer, Endpoint> byIndex = endpoints.stream()
        .collect(Collectors.toMap(Endpoint::index, e -> e));
    return "the demo's nodes were not ready within " + seconds(timeout) + ":\n" + missing.entrySet().stream()
        .map(m -> "  node " + m.getKey() + " (http " + byIndex.get(m.getKey()).httpPort() + "): "
            + String.join("; ", m.getValue()))
        .collect(Collectors.joining("\n"));
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    if (e instanceof ConnectException && (message == null || message.isBlank())) {
      return "connection refused"; // how java.net.http reports it
    }
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  private static String indent(String text) {
    return text.lines().map(l -> "  " + l).collect(Collectors.joining("\n"));
  }
}
