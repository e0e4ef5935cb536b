package dev.rekko.node.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.node.config.AdminSettings;
import dev.rekko.node.config.AdminTls;
import dev.rekko.node.config.AdminTls.ClientAuth;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.http.AdminHttpServer;
import dev.rekko.node.http.LocalHttp;
import dev.rekko.node.stats.NodeStats;
import dev.rekko.redis.tls.Certificates;
import dev.rekko.redis.tls.TlsContexts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rekko.admin.tls}: the node's HTTP API over HTTPS, reached with the CA ({@code rekko-admin
 * --cacert}); plain HTTP to the port, or HTTPS without the CA, fails with a message that says what to
 * add; with {@code client-auth = required} only a client with a certificate of the CA gets in; a
 * certificate replaced on disk serves the next connection.
 */
class AdminHttpsTest {
  @TempDir
  static Path dir;

  private static ActorSystem<Void> system;
  private static NodeStats stats;
  private static Certificates ca;
  private static Certificates.Issued client;
  private static AdminHttpServer https;
  private static AdminHttpServer mutual;

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "https-test",
        // No cluster: the HTTP server needs none, and Artery would bind a port.
        NodeConfig.of(Map.of("rekko.dispatcher.parallelism", "2", "pekko.actor.provider", "local")).config());
    stats = NodeStats.create();
    ca = Certificates.newCa(dir.resolve("ca"), "admin-ca");
    Certificates.Issued server = ca.issue("server");
    client = ca.issue("operator");
    https = start(new AdminTls(true, server.cert(), server.key(), Optional.empty(), ClientAuth.NONE));
    mutual = start(new AdminTls(true, server.cert(), server.key(), Optional.of(ca.caFile()), ClientAuth.REQUIRED));
  }

  private static AdminHttpServer start(AdminTls tls) throws Exception {
    AdminSettings settings = new AdminSettings("127.0.0.1", 0, new AdminSettings("127.0.0.1", 0, "").api(), false, tls);
    return AdminHttpServer.start(system, settings, stats).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    LocalHttp.stop(stats, system, https, mutual);
  }

  @Test
  void theApiAnswersOverHttpsToAClientTrustingTheCa() throws Exception {
    HttpResponse<String> r = get(client(Optional.of(ca.caFile()), false), "https", https.port());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"ops\"");
    assertThat(r.sslSession()).hasValueSatisfying(s -> assertThat(s.getProtocol()).isIn("TLSv1.3", "TLSv1.2"));
  }

  @Test
  void plainHttpToTheTlsPortGetsNoAnswer() {
    assertThatThrownBy(() -> get(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), "http",
        https.port())).isInstanceOf(IOException.class);
  }

  @Test
  void rekkoAdminTalksHttpsWithCacert() {
    AdminRun bare = AdminRun.run(Map.of(), "--addr", "127.0.0.1:" + https.port(), "--cacert", ca.caFile().toString(),
        "--json", "stats");
    assertThat(bare.err()).isEmpty();
    assertThat(bare.code()).isZero();
    assertThat(bare.out()).contains("\"ops\"");
    AdminRun url = AdminRun.run(Map.of("REKKO_ADMIN_CACERT", ca.caFile().toString()),
        "--addr", "https://127.0.0.1:" + https.port(), "stats");
    assertThat(url.code()).isZero();
  }

  @Test
  void withoutTheCaRekkoAdminSaysWhatIsMissing() {
    AdminRun noCa = AdminRun.run(Map.of(), "--addr", "https://127.0.0.1:" + https.port(), "stats");
    assertThat(noCa.code()).isEqualTo(AdminFailure.UNREACHABLE);
    assertThat(noCa.err()).isEqualTo("error: cannot reach https://127.0.0.1:" + https.port() + ": TLS handshake "
        + "failed (the node's certificate is not trusted: give the CA that signed it with --cacert FILE)\n");
    AdminRun plain = AdminRun.run(Map.of(), "--addr", "127.0.0.1:" + https.port(), "stats");
    assertThat(plain.code()).isEqualTo(AdminFailure.UNREACHABLE);
    assertThat(plain.err()).startsWith("error: cannot reach http://127.0.0.1:" + https.port() + ": ")
        .contains("if the node serves HTTPS (rekko.admin.tls), use --cacert FILE or an https:// address");
    AdminRun mixed = AdminRun.run(Map.of(), "--addr", "http://127.0.0.1:1", "--cacert", ca.caFile().toString(), "stats");
    assertThat(mixed.code()).isEqualTo(2);
    assertThat(mixed.err()).startsWith("--cacert, --cert and --key are for an https:// address");
    AdminRun missing = AdminRun.run(Map.of(), "--addr", "127.0.0.1:1", "--cacert", dir.resolve("nope.crt").toString(),
        "stats");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).startsWith("Cannot use the TLS files: ").contains("nope.crt");
  }

  @Test
  void clientAuthRequiredRefusesAClientWithoutACertificate() throws Exception {
    assertThatThrownBy(() -> get(client(Optional.of(ca.caFile()), false), "https", mutual.port()))
        .isInstanceOf(IOException.class);
    assertThat(get(client(Optional.of(ca.caFile()), true), "https", mutual.port()).statusCode()).isEqualTo(200);

    AdminRun without = AdminRun.run(Map.of(), "--addr", "127.0.0.1:" + mutual.port(), "--cacert",
        ca.caFile().toString(), "stats");
    assertThat(without.code()).isEqualTo(AdminFailure.UNREACHABLE);
    assertThat(without.err())
        .contains("the node requires a client certificate signed by its CA: give it with --cert FILE --key FILE");
    AdminRun with = AdminRun.run(Map.of(), "--addr", "127.0.0.1:" + mutual.port(), "--cacert", ca.caFile().toString(),
        "--cert", client.cert().toString(), "--key", client.key().toString(), "stats");
    assertThat(with.err()).isEmpty();
    assertThat(with.code()).isZero();
    // A certificate of another CA is no better than none.
    Certificates.Issued stranger = Certificates.newCa(dir.resolve("other"), "other-ca").issue("stranger");
    AdminRun other = AdminRun.run(Map.of(), "--addr", "127.0.0.1:" + mutual.port(), "--cacert", ca.caFile().toString(),
        "--cert", stranger.cert().toString(), "--key", stranger.key().toString(), "stats");
    assertThat(other.code()).isEqualTo(AdminFailure.UNREACHABLE);
  }

  @Test
  void aCertificateReplacedOnDiskServesTheNextConnection() throws Exception {
    Certificates first = Certificates.newCa(dir.resolve("rotate-1"), "first-ca");
    Certificates second = Certificates.newCa(dir.resolve("rotate-2"), "second-ca");
    Certificates.Issued old = first.issue("server");
    Path live = Files.createDirectories(dir.resolve("live"));
    Path cert = Files.copy(old.cert(), live.resolve("tls.crt"));
    Path key = Files.copy(old.key(), live.resolve("tls.key"));
    AdminHttpServer server = start(new AdminTls(true, cert, key, Optional.empty(), ClientAuth.NONE));
    try {
      assertThat(get(client(Optional.of(first.caFile()), false), "https", server.port()).statusCode()).isEqualTo(200);
      Certificates.Issued renewed = second.issue("server");
      Files.copy(renewed.cert(), cert, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(renewed.key(), key, StandardCopyOption.REPLACE_EXISTING);
      assertThat(get(client(Optional.of(second.caFile()), false), "https", server.port()).statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> get(client(Optional.of(first.caFile()), false), "https", server.port()))
          .isInstanceOf(IOException.class);
    } finally {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** A fresh client (so a fresh connection) trusting {@code caFile}, with the operator's certificate if asked. */
  private static HttpClient client(Optional<Path> caFile, boolean withCert) throws Exception {
    SSLContext ctx = TlsContexts.client(caFile, withCert ? Optional.of(client.cert()) : Optional.empty(),
        withCert ? Optional.of(client.key()) : Optional.empty());
    return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static HttpResponse<String> get(HttpClient http, String scheme, int port) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + "/api/stats"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
