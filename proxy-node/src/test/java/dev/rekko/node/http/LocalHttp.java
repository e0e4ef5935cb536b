package dev.rekko.node.http;

import dev.rekko.node.stats.NodeStats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;

/** What the tests of a real {@link AdminHttpServer} share: plain requests to it, and stopping it. */
public final class LocalHttp {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private LocalHttp() {
  }

  /** {@code method path} without a body to {@code 127.0.0.1:port}. */
  static HttpResponse<String> send(String method, String path, int port) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(10))
        .build();
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Stops the servers, closes the stats, terminates the system: each may be null (a start that failed). */
  public static void stop(NodeStats stats, ActorSystem<?> system, AdminHttpServer... servers) throws Exception {
    for (AdminHttpServer server : servers) {
      if (server != null) {
        server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
    if (stats != null) {
      stats.close();
    }
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
