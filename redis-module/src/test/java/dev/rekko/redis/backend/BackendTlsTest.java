package dev.rekko.redis.backend;

import static dev.rekko.redis.backend.BackendCalls.queue;
import static dev.rekko.redis.backend.BackendCalls.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.TestWaits;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.redis.tls.BackendTls;
import dev.rekko.redis.tls.Certificates;
import dev.rekko.redis.tls.TlsContexts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data path's backend connections to a Redis server that listens only on {@code tls-port} and requires
 * client certificates: commands and deep pipelines with replies bigger than a TLS record, a reconnect after
 * the server restarts, a durable-writes-free drain, and refusals — a server certificate from another CA and
 * a missing client certificate — that leave the server down with an error saying why.
 */
class BackendTlsTest {
  private static final long WAIT_SECONDS = 20;
  @TempDir
  Path dir;
  private Certificates ca;
  private RedisServer server;
  private BackendPool pool;

  @BeforeEach
  void start() throws Exception {
    ca = Certificates.newCa(dir.resolve("ca"), "rekko-test-ca");
    Certificates.Issued cert = ca.issue("redis");
    server = RedisServer.builder().tls(cert.cert(), cert.key(), ca.caFile()).start();
  }

  @AfterEach
  void stop() {
    if (pool != null) {
      pool.close();
    }
    server.close();
  }

  private BackendConnection connection(BackendTls tls) {
    pool = new BackendPool(new BackendOptions("", "", 1, Duration.ofSeconds(2), Duration.ofSeconds(30),
        Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(5)).withTls(tls), 1);
    return pool.connection(new BackendAddress(server.host(), server.port()), 0, 0);
  }

  private BackendTls clientTls() throws Exception {
    Certificates.Issued me = ca.issue("rekko");
    return BackendTls.of(TlsContexts.client(Optional.of(ca.caFile()), Optional.of(me.cert()), Optional.of(me.key())));
  }

  @Test
  void commandsAndDeepPipelinesGoOverTls() throws Exception {
    BackendConnection c = connection(clientTls());
    // Sent before the TLS handshake: they wait for it and for the Redis handshake.
    CompletableFuture<String> early = send(c, "PING");
    assertThat(early.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("+PONG");
    String big = "x".repeat(200_000);
    List<CompletableFuture<String>> replies = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      String value = i % 100 == 0 ? big : "v" + i;
      replies.add(queue(c, "SET", "k" + i, value));
      expected.add("+OK");
      replies.add(queue(c, "GET", "k" + i));
      expected.add("$" + value.length() + "\r\n" + value);
    }
    c.flush();
    for (int i = 0; i < replies.size(); i++) {
      assertThat(replies.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS)).as("reply %d", i).isEqualTo(expected.get(i));
    }
    assertThat(c.inFlight()).isZero();
    c.drain().get(WAIT_SECONDS, TimeUnit.SECONDS);
    try (var direct = server.client()) {
      assertThat(direct.call("DBSIZE")).isEqualTo(500L);
    }
  }

  @Test
  void reconnectsOverTlsAfterTheServerRestarts() throws Exception {
    BackendConnection c = connection(clientTls());
    assertThat(send(c, "SET", "a", "1").get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("+OK");
    server.kill();
    TestWaits.await("the connection noticed", () -> !c.isUp());
    server.start();
    TestWaits.await("reconnected", c::isUp);
    assertThat(send(c, "ECHO", "again").get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("$5\r\nagain");
  }

  @Test
  void aServerCertificateFromAnotherCaLeavesTheServerDownSayingWhy() throws Exception {
    Certificates other = Certificates.newCa(dir.resolve("other"), "another-ca");
    Certificates.Issued me = other.issue("rekko");
    BackendConnection c = connection(BackendTls.of(
        TlsContexts.client(Optional.of(other.caFile()), Optional.of(me.cert()), Optional.of(me.key()))));
    TestWaits.await("the handshake failed", () -> c.lastError() != null);
    assertThat(c.isUp()).isFalse();
    assertThat(c.lastError()).startsWith("ERR backend " + server.address() + " is down: TLS: ");
    assertThat(send(c, "PING").get(WAIT_SECONDS, TimeUnit.SECONDS)).startsWith("failed: ERR backend "
        + server.address() + " is down: TLS: ");
  }

  @Test
  void aMissingClientCertificateLeavesTheServerDown() throws Exception {
    BackendConnection c = connection(BackendTls.of(TlsContexts.client(Optional.of(ca.caFile()), Optional.empty(),
        Optional.empty())));
    CompletableFuture<String> ping = send(c, "PING");
    assertThat(ping.get(WAIT_SECONDS, TimeUnit.SECONDS)).startsWith("failed: ERR backend " + server.address()
        + " is down: ");
    TestWaits.await("an error", () -> c.lastError() != null);
    assertThat(c.isUp()).isFalse();
  }

  @Test
  void plainTcpToATlsPortNeverComesUp() throws Exception {
    BackendConnection c = connection(null);
    assertThat(send(c, "PING").get(WAIT_SECONDS, TimeUnit.SECONDS)).startsWith("failed: ERR backend "
        + server.address() + " is down: ");
    assertThat(c.isUp()).isFalse();
  }
}
