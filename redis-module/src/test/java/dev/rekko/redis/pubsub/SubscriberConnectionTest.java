package dev.rekko.redis.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.TestWaits;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendOptions;
import dev.rekko.redis.launcher.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A subscriber connection against a real server: what it was asked to hold is subscribed before its
 * callback runs, messages of each kind reach the listener as the exact RESP2 frames Redis sent, a killed
 * connection comes back with everything subscribed again, a refused AUTH leaves no caller waiting.
 */
class SubscriberConnectionTest {
  private RedisServer server;
  private SubscriberConnection conn;
  private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();

  @AfterEach
  void stop() {
    if (conn != null) {
      conn.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private SubscriberConnection connect(String password) {
    BackendOptions o = new BackendOptions("", password, 1, Duration.ofSeconds(2), Duration.ofSeconds(5),
        Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(1));
    return new SubscriberConnection(BackendAddress.parse(server.address()), o,
        (kind, name, frame) -> received.add(kind + " " + name + " " + new String(frame, StandardCharsets.ISO_8859_1)));
  }

  private static void subscribed(SubscriberConnection c, PubSubKind kind, String... names) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    c.subscribe(kind, List.of(names), () -> done.complete(null));
    done.get(10, TimeUnit.SECONDS);
  }

  @Test
  void messagesOfEveryKindArriveAsRedisSentThem() throws Exception {
    server = RedisServer.builder().start();
    conn = connect("");
    subscribed(conn, PubSubKind.CHANNEL, "news", "sport");
    subscribed(conn, PubSubKind.PATTERN, "n*");
    subscribed(conn, PubSubKind.SHARD, "{s}1");
    try (Jedis j = new Jedis(server.host(), server.port())) {
      // Subscribed once the callback ran: no message published after it is missed.
      assertThat(j.publish("news", "hello")).isEqualTo(2);
      assertThat(j.sendCommand(() -> "SPUBLISH".getBytes(StandardCharsets.US_ASCII), "{s}1", "sharded"))
          .isEqualTo(1L);
      assertThat(next()).isEqualTo("CHANNEL news *3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
      assertThat(next()).isEqualTo("PATTERN n* *4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
      assertThat(next()).isEqualTo("SHARD {s}1 *3\r\n$8\r\nsmessage\r\n$4\r\n{s}1\r\n$7\r\nsharded\r\n");
      assertThat(j.clientList().lines().filter(l -> l.contains("name=" + SubscriberConnection.CLIENT_NAME)))
          .singleElement().asString().contains("sub=2").contains("psub=1").contains("ssub=1");

      conn.unsubscribe(PubSubKind.CHANNEL, List.of("news"));
      TestWaits.await("news unsubscribed", () -> j.publish("news", "x") == 1);
      assertThat(j.publish("sport", "y")).isEqualTo(1);
      assertThat(conn.size(PubSubKind.CHANNEL)).isEqualTo(1);
    }
  }

  @Test
  void aKilledConnectionComesBackWithItsSubscriptions() throws Exception {
    server = RedisServer.builder().start();
    conn = connect("");
    String[] many = new String[SubscriberConnection.BATCH * 2 + 3];
    for (int i = 0; i < many.length; i++) {
      many[i] = "c" + i;
    }
    subscribed(conn, PubSubKind.CHANNEL, many);
    subscribed(conn, PubSubKind.PATTERN, "p*");
    try (Jedis j = new Jedis(server.host(), server.port())) {
      assertThat(j.publish("c0", "before")).isEqualTo(1);
      assertThat(j.clientKill(redis.clients.jedis.params.ClientKillParams.clientKillParams()
          .type(redis.clients.jedis.args.ClientType.PUBSUB))).isEqualTo(1);
      TestWaits.await("resubscribed", () -> j.publish("c" + (many.length - 1), "after") == 1
          && j.publish("px", "after") == 1);
      assertThat(conn.isUp()).isTrue();
    }
  }

  @Test
  void authenticatesAndARefusedPasswordLeavesNoCallerWaiting() throws Exception {
    server = RedisServer.builder().password("s3cret").start();
    conn = connect("s3cret");
    subscribed(conn, PubSubKind.CHANNEL, "a");
    try (Jedis j = new Jedis(server.host(), server.port())) {
      j.auth("s3cret");
      assertThat(j.publish("a", "m")).isEqualTo(1);
    }
    assertThat(next()).startsWith("CHANNEL a ");
    conn.close();

    conn = connect("wrong");
    subscribed(conn, PubSubKind.CHANNEL, "a");
    assertThat(conn.isUp()).isFalse();
  }

  @Test
  void closeEndsTheConnection() throws Exception {
    server = RedisServer.builder().start();
    conn = connect("");
    subscribed(conn, PubSubKind.CHANNEL, "a");
    conn.close();
    try (Jedis j = new Jedis(server.host(), server.port())) {
      TestWaits.await("no subscriber left", () -> j.publish("a", "m") == 0);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    conn.subscribe(PubSubKind.CHANNEL, List.of("b"), () -> done.complete(null));
    assertThat(done).isDone();
  }

  private String next() throws InterruptedException {
    String m = received.poll(10, TimeUnit.SECONDS);
    assertThat(m).as("a message within 10 s").isNotNull();
    return m;
  }
}
