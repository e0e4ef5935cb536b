package dev.rekko.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/** {@code GET /api/alive}: 200 {"alive": true} until the node is broken, then 503 with the reason. */
class AliveRoutesTest {

  @Test
  void answersAliveUntilBrokenThenTheReason() throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "alive-test");
    AtomicReference<Optional<String>> broken = new AtomicReference<>(Optional.empty());
    try {
      AdminHttpServer server = AdminHttpServer.start(system, "127.0.0.1", 0, List.of(new AliveRoutes(broken::get)))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      HttpClient client = HttpClient.newHttpClient();
      HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/alive"))
          .timeout(Duration.ofSeconds(10)).build();

      HttpResponse<String> ok = client.send(get, HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("{\"alive\":true}");

      broken.set(Optional.of("1 of the 2 RESP I/O threads stopped after a fatal error (see the node's log)"));
      HttpResponse<String> down = client.send(get, HttpResponse.BodyHandlers.ofString());
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.body()).isEqualTo("{\"alive\":false,\"reason\":\"1 of the 2 RESP I/O threads stopped after a "
          + "fatal error (see the node's log)\"}");

      HttpResponse<String> post = client.send(HttpRequest.newBuilder(get.uri())
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
