package dev.rekko.node.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node's HTTP API stand-in: answers {@code GET /api/topology} from a script of answers, one per
 * request, the last repeated; everything else 404.
 */
public final class TopologyStub implements AutoCloseable {
  public record Answer(int status, String body) {
    public static Answer json(String body) {
      return new Answer(200, body);
    }
  }

  private final HttpServer server;
  private final Deque<Answer> script = new ArrayDeque<>();
  private final AtomicInteger requests = new AtomicInteger();

  private TopologyStub(HttpServer server) {
    this.server = server;
  }

  /** Listens on loopback {@code port} (0 = a free one). */
  public static TopologyStub start(int port, Answer... answers) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    TopologyStub stub = new TopologyStub(server);
    stub.then(answers);
    server.createContext("/", exchange -> {
      Answer a = exchange.getRequestURI().getPath().equals("/api/topology")
          ? stub.next() : new Answer(404, "{\"error\":\"no such resource\"}");
      byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(a.status(), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return stub;
  }

  /** Replaces the script. */
  public synchronized TopologyStub then(Answer... answers) {
    script.clear();
    script.addAll(List.of(answers));
    return this;
  }

  /** Topology requests answered so far. */
  public int requests() {
    return requests.get();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private synchronized Answer next() {
    requests.incrementAndGet();
    if (script.isEmpty()) {
      return new Answer(404, "{\"error\":\"no such resource: GET /api/topology\"}");
    }
    return script.size() > 1 ? script.poll() : script.peek();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
