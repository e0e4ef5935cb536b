package dev.rekko.redis.backend;

import static dev.rekko.redis.backend.BackendCalls.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.redis.launcher.RedisBinary;
import dev.rekko.redis.launcher.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A migration barrier's drain against real servers that stall: a drain reports drained only once nothing
 * sent to the server before it can run there any more. A connection that failed proves nothing: its
 * commands may sit in the network or in the server's input buffer, so the drain kills it on the server
 * (CLIENT KILL over a connection of its own), or answers not drained while the server cannot be reached.
 * Also: no command runs behind a failed SELECT.
 */
class BackendDrainTest {
  /** How long a command may go unanswered here; a connect (and its handshake, and a kill) gets CONNECT. */
  private static final Duration SHORT = Duration.ofMillis(300);
  private static final Duration CONNECT = Duration.ofSeconds(1);
  private RedisServer server;
  private BackendPool pool;

  @BeforeEach
  void start() {
    server = RedisServer.builder().config("databases 4").config(debugCommand()).start();
  }

  @AfterEach
  void stop() {
    if (pool != null) {
      pool.close();
    }
    server.close();
  }

  /** Redis 7 refuses DEBUG unless allowed; 6.2 knows no such setting. */
  private static String debugCommand() {
    return RedisBinary.compareVersions(RedisBinary.resolve().version(), "7.0.0") >= 0
        ? "enable-debug-command yes" : "";
  }

  private BackendPool pool() {
    pool = new BackendPool(new BackendOptions("", "", 1, CONNECT, SHORT, Duration.ofMillis(50),
        Duration.ofMillis(200), Duration.ofSeconds(5)), 1);
    return pool;
  }

  @Test
  void aWriteHeldInThePartitionedNetworkCannotRunAfterTheDrain() throws Exception {
    try (StallProxy proxy = new StallProxy(server.port()); Jedis direct = new Jedis(server.host(), server.port())) {
      BackendConnection c = pool().connection(proxy.address(), 0, 0);
      assertThat(call(c, "PING")).isEqualTo("+PONG");

      proxy.stallAll();
      CompletableFuture<String> write = send(c, "SET", "k", "sent before the switch");
      pool.drain(proxy.address()).get(10, TimeUnit.SECONDS);
      assertThat(write.get(10, TimeUnit.SECONDS)).as("the write got no answer").startsWith("failed:");

      // The network heals and delivers the write: the server must have closed that connection by now.
      assertThat(proxy.release(Duration.ofSeconds(5))).as("the server ran what arrived late").isFalse();
      assertThat(direct.get("k")).isNull();
    }
  }

  @Test
  void theNextHandshakeKillsAConnectionThatFailedWithCommandsUnanswered() throws Exception {
    try (StallProxy proxy = new StallProxy(server.port()); Jedis direct = new Jedis(server.host(), server.port())) {
      BackendConnection c = pool().connection(proxy.address(), 0, 0);
      assertThat(call(c, "PING")).isEqualTo("+PONG");
      proxy.stallAll();
      assertThat(send(c, "SET", "k", "v").get(10, TimeUnit.SECONDS)).startsWith("failed:");

      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!c.suspects().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(c.suspects()).as("killed by the reconnect's handshake").isEmpty();
      awaitUp(c);
      assertThat(proxy.release(Duration.ofSeconds(5))).isFalse();
      assertThat(direct.get("k")).isNull();
    }
  }

  @Test
  void aServerThatAnswersNothingIsNotDrainedUntilItDoes() throws Exception {
    BackendAddress address = new BackendAddress(server.host(), server.port());
    BackendConnection c = pool().connection(address, 0, 0);
    assertThat(call(c, "PING")).isEqualTo("+PONG");
    // The server sleeps with the write in its input buffer; our side times out and closes meanwhile.
    send(c, "DEBUG", "SLEEP", "5");
    send(c, "SET", "k", "v");

    assertThatThrownBy(() -> pool.drain(address).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(DrainException.class)
        .hasMessageContaining("cannot confirm");

    // Awake, it may run the write, but only before a drain succeeds: then the connection is gone.
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        pool.drain(address).get(10, TimeUnit.SECONDS);
        break;
      } catch (ExecutionException e) {
        assertThat(System.nanoTime()).as("drained once awake: " + e.getCause()).isLessThan(deadline);
        Thread.sleep(100);
      }
    }
    assertThat(c.suspects()).isEmpty();
  }

  @Test
  void aServerPausedForWritesIsDrainedAndTheHeldWriteNeverRuns() throws Exception {
    BackendAddress address = new BackendAddress(server.host(), server.port());
    BackendConnection c = pool().connection(address, 0, 0);
    assertThat(call(c, "PING")).isEqualTo("+PONG");
    try (Jedis direct = new Jedis(server.host(), server.port())) {
      direct.sendCommand(() -> "CLIENT".getBytes(StandardCharsets.US_ASCII), "PAUSE", "60000", "WRITE");
      CompletableFuture<String> write = send(c, "SET", "k", "v");
      // CLIENT KILL is no write: it runs during the pause, and the postponed SET dies with its client.
      pool.drain(address).get(10, TimeUnit.SECONDS);
      assertThat(write.get(10, TimeUnit.SECONDS)).startsWith("failed:");
      direct.sendCommand(() -> "CLIENT".getBytes(StandardCharsets.US_ASCII), "UNPAUSE");
      assertThat(direct.get("k")).isNull();
      awaitUp(c);
      assertThat(call(c, "PING")).as("reconnected").isEqualTo("+PONG");
      assertThat(direct.get("k")).isNull();
    }
  }

  @Test
  void aFailedSelectFailsTheConnectionBeforeAnyCommandRuns() throws Exception {
    BackendConnection c = pool().connection(new BackendAddress(server.host(), server.port()), 8, 0);
    assertThat(send(c, "SET", "k", "in the wrong database").get(10, TimeUnit.SECONDS))
        .startsWith("failed:").contains("SELECT failed").contains("DB index is out of range");
    try (Jedis direct = new Jedis(server.host(), server.port())) {
      for (int db = 0; db < 4; db++) {
        direct.select(db);
        assertThat(direct.exists("k")).as("db " + db).isFalse();
      }
    }
  }

  private static void awaitUp(BackendConnection c) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!c.isUp()) {
      assertThat(System.nanoTime()).as("connection up again: " + c.lastError()).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static String call(BackendConnection c, String... args) throws Exception {
    return send(c, args).get(10, TimeUnit.SECONDS);
  }
}
