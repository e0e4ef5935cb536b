package dev.rekko.redis.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.redis.TestWaits;
import dev.rekko.redis.admin.RedisAdmin;
import dev.rekko.redis.admin.RedisAdminException;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendOptions;
import dev.rekko.redis.health.HealthChecker;
import dev.rekko.redis.health.ServerHealth;
import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.redis.pubsub.PubSubKind;
import dev.rekko.redis.pubsub.SubscriberConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blocking backend clients against a master and its replica that listen only on {@code tls-port} (the
 * replica follows over TLS, {@code tls-replication yes}), with client certificates required: the admin
 * client, the health checks and a subscriber connection, which also keeps working across its read timeouts
 * (its idle pings). A certificate from another CA is refused with a message that says TLS.
 */
class BackendTlsClientsTest {
  @TempDir
  Path dir;
  private Certificates ca;
  private RedisServer master;
  private RedisServer replica;
  private BackendTls tls;

  @BeforeEach
  void start() throws Exception {
    ca = Certificates.newCa(dir.resolve("ca"), "rekko-test-ca");
    Certificates.Issued m = ca.issue("master");
    Certificates.Issued r = ca.issue("replica");
    master = RedisServer.builder().password("pw").tls(m.cert(), m.key(), ca.caFile()).start();
    replica = RedisServer.builder().password("pw").tls(r.cert(), r.key(), ca.caFile()).replicaOf(master).start();
    Certificates.Issued me = ca.issue("rekko");
    tls = BackendTls.of(TlsContexts.client(Optional.of(ca.caFile()), Optional.of(me.cert()), Optional.of(me.key())));
  }

  @AfterEach
  void stop() {
    replica.close();
    master.close();
  }

  @Test
  void adminClientOverTlsAndARefusedCertificate() throws Exception {
    try (RedisAdmin admin = RedisAdmin.connect(replica.address(), "", "pw", tls, Duration.ofSeconds(5))) {
      admin.ping();
      TestWaits.await("the replica linked over TLS", () -> {
        try {
          return admin.role().replica() && "up".equals(admin.role().linkStatus());
        } catch (RedisAdminException e) {
          return false;
        }
      });
    }
    Certificates other = Certificates.newCa(dir.resolve("other"), "another-ca");
    BackendTls stranger = BackendTls.of(TlsContexts.client(Optional.of(other.caFile()), Optional.empty(),
        Optional.empty()));
    assertThatThrownBy(() -> RedisAdmin.connect(master.address(), "", "pw", stranger, Duration.ofSeconds(5)))
        .isInstanceOf(RedisAdminException.class).hasMessageContaining("TLS: ");
    assertThatThrownBy(() -> RedisAdmin.connect(master.address(), "", "pw", Duration.ofSeconds(2)))
        .as("plain TCP to a TLS port").isInstanceOf(RedisAdminException.class);
  }

  @Test
  void healthChecksOverTls() throws Exception {
    LinkedBlockingQueue<List<ServerHealth>> views = new LinkedBlockingQueue<>();
    try (HealthChecker checker = new HealthChecker(new HealthChecker.Settings(Duration.ofMillis(100),
        Duration.ofMillis(200), Duration.ofSeconds(2), "", "pw", tls), views::add)) {
      checker.watch(List.of(master.address(), replica.address()));
      TestWaits.await("both checked up, the replica linked", () -> {
        List<ServerHealth> now = checker.snapshot();
        return now.size() == 2 && now.stream().allMatch(ServerHealth::up)
            && now.stream().anyMatch(h -> h.isMaster() && h.addr().equals(master.address()))
            && now.stream().anyMatch(h -> h.isReplica() && h.linkUp());
      });
    }
  }

  @Test
  void subscriberConnectionOverTlsSurvivesItsIdlePings() throws Exception {
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    BackendOptions options = new BackendOptions("", "pw", 1, Duration.ofSeconds(2), Duration.ofSeconds(5),
        Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofMillis(200)).withTls(tls);
    try (SubscriberConnection conn = new SubscriberConnection(BackendAddress.parse(master.address()), options,
        (kind, name, frame) -> received.add(name + " " + new String(frame, StandardCharsets.ISO_8859_1)));
         LocalRedisClient publisher = master.client()) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      conn.subscribe(PubSubKind.CHANNEL, List.of("news"), () -> done.complete(null));
      done.get(10, TimeUnit.SECONDS);
      assertThat(conn.isUp()).isTrue();
      assertThat(publisher.call("PUBLISH", "news", "one")).isEqualTo(1L);
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("news *3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$3\r\none\r\n");
      // Several ping periods of silence: each read timeout must leave the TLS socket usable.
      Thread.sleep(1000);
      assertThat(conn.isUp()).isTrue();
      assertThat(publisher.call("PUBLISH", "news", "two")).isEqualTo(1L);
      assertThat(received.poll(10, TimeUnit.SECONDS)).endsWith("$3\r\ntwo\r\n");
    }
  }
}
