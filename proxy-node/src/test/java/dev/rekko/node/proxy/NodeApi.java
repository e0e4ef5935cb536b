package dev.rekko.node.proxy;

import dev.rekko.node.RekkoNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** POSTs to a node's admin API, as the data-path tests that change the topology through it need. */
final class NodeApi {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration RETRY_FOR = Duration.ofSeconds(30);

  private NodeApi() {
  }

  /** {@code POST path} with a JSON {@code body} (none when empty). */
  static HttpResponse<String> post(RekkoNode node, String path, String body) throws IOException, InterruptedException {
    return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .header("Content-Type", "application/json")
        .POST(body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * {@link #post}, retrying a 409 "lost to a concurrent change" as the API says (the coordinator's own
   * group writes after start can race a test's), and failing unless it ends in 200.
   */
  static void postOk(RekkoNode node, String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> r;
    long deadline = System.nanoTime() + RETRY_FOR.toNanos();
    do {
      r = post(node, path, body);
    } while (r.statusCode() == 409 && r.body().contains("concurrent change") && System.nanoTime() < deadline);
    if (r.statusCode() != 200) {
      throw new AssertionError("POST " + path + ": " + r.statusCode() + " " + r.body());
    }
  }
}
