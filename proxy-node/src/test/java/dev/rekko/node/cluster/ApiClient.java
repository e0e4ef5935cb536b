package dev.rekko.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A JSON client of one node's HTTP API, for tests. */
final class ApiClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Status and parsed body of one call. */
  record Response(int status, JsonNode body) {
    JsonNode ok() {
      if (status != 200) {
        throw new AssertionError("expected 200, got " + status + ": " + body);
      }
      return body;
    }

    String error() {
      return body.path("error").asText();
    }
  }

  private final int port;
  private final String token;

  ApiClient(int port, String token) {
    this.port = port;
    this.token = token;
  }

  ApiClient withToken(String newToken) {
    return new ApiClient(port, newToken);
  }

  Response get(String path) throws IOException, InterruptedException {
    return send(request(path).GET());
  }

  Response post(String path, String json) throws IOException, InterruptedException {
    return send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  Response delete(String path) throws IOException, InterruptedException {
    return send(request(path).header("Content-Type", "application/json").DELETE());
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30));
    if (token != null && !token.isEmpty()) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private static Response send(HttpRequest.Builder b) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
    return new Response(r.statusCode(), body);
  }
}
