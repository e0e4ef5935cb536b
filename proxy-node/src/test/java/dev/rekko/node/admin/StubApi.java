package dev.rekko.node.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for a node's HTTP API on a free loopback port: answers each {@code METHOD /path?query}
 * with canned JSON, anything else with a 404 JSON error, and records every request.
 */
final class StubApi implements AutoCloseable {
  /** A request as it arrived; {@code path} is raw (still percent-encoded) with its query. */
  record Request(String method, String path, String body, String authorization, String contentType) {}

  private record Reply(int status, String body) {}

  private final HttpServer server;
  private final Map<String, Reply> replies = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  StubApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  StubApi reply(String method, String path, int status, String body) {
    replies.put(method + " " + path, new Reply(status, body));
    return this;
  }

  StubApi ok(String method, String path, String body) {
    return reply(method, path, 200, body);
  }

  String addr() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  Request last() {
    return requests.get(requests.size() - 1);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath()
        + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(new Request(exchange.getRequestMethod(), path, body,
        exchange.getRequestHeaders().getFirst("Authorization"),
        exchange.getRequestHeaders().getFirst("Content-Type")));
    Reply reply = replies.getOrDefault(exchange.getRequestMethod() + " " + path,
        new Reply(404, "{\"error\": \"no such resource: " + exchange.getRequestMethod() + " " + path + "\"}"));
    byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    // 204 must come without a body; -1 tells HttpServer so
    exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
