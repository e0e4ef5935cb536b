package dev.rekko.multinode.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** One node's HTTP API (docs/api.md), as an operator's script calls it. */
final class NodeApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  private final String base;

  NodeApi(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  /** The answer of {@code GET path}; throws IOException unless the status is 200. */
  JsonNode get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).GET().build());
  }

  /** {@code POST path} with a JSON body; throws IOException unless the status is 200. */
  JsonNode post(String path, String json) throws IOException, InterruptedException {
    return send(postRequest(path, json));
  }

  /**
   * {@code POST path} without waiting: the answer, or the reason there is none. An operation can take
   * many seconds (the coordinator answers once every slot actor has), and a fault may strike meanwhile.
   */
  CompletableFuture<JsonNode> postAsync(String path, String json) {
    HttpRequest request = postRequest(path, json);
    return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
      try {
        return parse(request, r);
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    });
  }

  private HttpRequest postRequest(String path, String json) {
    return HttpRequest.newBuilder(URI.create(base + path))
        // A coordinator that has just moved, or 512 slot actors under load, may take a while to answer.
        .timeout(Duration.ofSeconds(70))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  private static JsonNode send(HttpRequest request) throws IOException, InterruptedException {
    return parse(request, HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  private static JsonNode parse(HttpRequest request, HttpResponse<String> response) throws IOException {
    if (response.statusCode() != 200) {
      throw new IOException(request.method() + " " + request.uri() + " answered " + response.statusCode()
          + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }

  @Override
  public String toString() {
    return base;
  }
}
