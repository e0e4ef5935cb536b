package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.node.FreePorts;
import dev.rekko.node.config.ClientTls;
import dev.rekko.node.config.ClientTls.ClientAuth;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.stats.NodeStats;
import dev.rekko.redis.backend.BackendPool;
import dev.rekko.redis.tls.Certificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLSocket;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS listener on its own, in front of the Streams transport's client flow on a node without
 * backends (ECHO is answered by the session itself): protocols, mutual TLS (refusals logged and counted,
 * other connections unaffected), certificate rotation, and max-clients. Real clients through a whole node
 * are in {@code ClientTlsTest}.
 */
class TlsServerTest {
  @TempDir
  Path dir;

  private ActorSystem system;
  private BackendPool pool;
  private NodeContext ctx;
  private TlsServer server;
  private Certificates ca;
  private Certificates.Issued node;
  private Certificates.Issued client;
  private final List<SSLSocket> sockets = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    system = ActorSystem.create("tls-server-test");
    ca = Certificates.newCa(dir.resolve("ca"), "Test CA");
    node = ca.issue("node");
    client = ca.issue("client");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (SSLSocket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (pool != null) {
      pool.close();
    }
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** {@code ECHO word} as RESP, and what the session answers. */
  private static String echo(SSLSocket s, String word) throws IOException {
    String reply = "$" + word.length() + "\r\n" + word + "\r\n";
    String got = TlsClients.call(s, "*2\r\n$4\r\nECHO\r\n" + reply, reply.length());
    return got.equals(reply) ? word : got;
  }

  private TlsServer start(ClientAuth auth, Map<String, String> settings) throws Exception {
    NodeConfig config = NodeConfig.of(settings);
    pool = new BackendPool(config.backend().connections(), 1);
    ctx = new NodeContext(config.proxy(), config.backend(), config.migration(), new Router(null), pool,
        NodeStats.create());
    ClientTls tls = new ClientTls(FreePorts.port(), node.cert(), node.key(),
        auth == ClientAuth.NONE ? Optional.empty() : Optional.of(ca.caFile()), auth);
    server = TlsServer.start(system, ctx, tls, ClientFlow::admit).toCompletableFuture().get(10, TimeUnit.SECONDS);
    return server;
  }

  private SSLSocket connect(Path trusted, Certificates.Issued cert, String... protocols) throws Exception {
    SSLSocket s = TlsClients.connect(server.address().getPort(), trusted, cert, protocols);
    sockets.add(s);
    return s;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void servesTls13And12Only() throws Exception {
    start(ClientAuth.NONE, Map.of());
    SSLSocket s13 = connect(ca.caFile(), null);
    assertThat(s13.getSession().getProtocol()).isEqualTo("TLSv1.3");
    assertThat(echo(s13, "hello")).isEqualTo("hello");
    SSLSocket s12 = connect(ca.caFile(), null, "TLSv1.2");
    assertThat(s12.getSession().getProtocol()).isEqualTo("TLSv1.2");
    assertThat(echo(s12, "world")).isEqualTo("world");
    // The node's certificate is the configured one, and names 127.0.0.1 (the client checked it).
    assertThat(s13.getSession().getPeerCertificates()[0]).isEqualTo(
        dev.rekko.redis.tls.PemFiles.certificates(node.cert()).get(0));
    // The JDK refuses TLS 1.1 on its own; what the node allows is what its engines enable.
    assertThatThrownBy(() -> connect(ca.caFile(), null, "TLSv1.1")).isInstanceOf(IOException.class);
    assertThat(new ServerTlsContext(new ClientTls(1, node.cert(), node.key(), Optional.empty(), ClientAuth.NONE))
        .newEngine("127.0.0.1", 1).getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    // Clients are counted while they are connected, and given back when they leave.
    await("the refused client to be given back", () -> ctx.clients() == 2);
    s12.close();
    await("the client count to drop", () -> ctx.clients() == 1);
  }

  @Test
  void requiredClientCertificatesRefuseTheOthersOnly() throws Exception {
    start(ClientAuth.REQUIRED, Map.of());
    Certificates other = Certificates.newCa(dir.resolve("other"), "Other CA");
    Certificates.Issued stranger = other.issue("stranger");
    try (LogCapture log = new LogCapture(TlsServer.class)) {
      SSLSocket good = connect(ca.caFile(), client);
      assertThat(echo(good, "first")).isEqualTo("first");

      // TLS 1.3: the client's side of the handshake ends before the server checked its certificate, so
      // the refusal shows on its first read.
      assertThatThrownBy(() -> echo(connect(ca.caFile(), null), "x")).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> echo(connect(ca.caFile(), stranger), "x"))
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> echo(connect(ca.caFile(), null, "TLSv1.2"), "x"))
          .isInstanceOf(IOException.class);

      await("three refusals", () -> server.handshakeFailures() == 3);
      await("three WARN lines", () -> log.warnings("TLS handshake with client 127.0.0.1:").size() == 3);
      assertThat(log.warnings("TLS handshake with client")).anySatisfy(w -> assertThat(w).contains("certificate"));
      // The connection that was there all along is still served, and a good client still gets in.
      assertThat(echo(good, "still")).isEqualTo("still");
      assertThat(echo(connect(ca.caFile(), client), "again")).isEqualTo("again");
      await("the refused clients to be given back", () -> ctx.clients() == 2);
    }
  }

  @Test
  void optionalClientCertificatesMustStillBeGood() throws Exception {
    start(ClientAuth.OPTIONAL, Map.of());
    Certificates.Issued stranger = Certificates.newCa(dir.resolve("other"), "Other CA").issue("stranger");
    assertThat(echo(connect(ca.caFile(), null), "anon")).isEqualTo("anon");
    assertThat(echo(connect(ca.caFile(), client), "mine")).isEqualTo("mine");
    assertThatThrownBy(() -> echo(connect(ca.caFile(), stranger), "x")).isInstanceOf(IOException.class);
    await("one refusal", () -> server.handshakeFailures() == 1);
  }

  @Test
  void aClientThatDoesNotTrustTheNodeIsCounted() throws Exception {
    start(ClientAuth.NONE, Map.of());
    Certificates other = Certificates.newCa(dir.resolve("other"), "Other CA");
    assertThatThrownBy(() -> connect(other.caFile(), null)).isInstanceOf(IOException.class);
    await("one refusal", () -> server.handshakeFailures() == 1);
    assertThat(echo(connect(ca.caFile(), null), "fine")).isEqualTo("fine");
  }

  @Test
  void rotatedFilesServeNewConnectionsAndOldOnesGoOn() throws Exception {
    start(ClientAuth.NONE, Map.of());
    SSLSocket before = connect(ca.caFile(), null);
    assertThat(echo(before, "old")).isEqualTo("old");

    // A broken file is refused: the node keeps its certificate.
    Path backup = Files.copy(node.key(), dir.resolve("node.key.bak"));
    Files.writeString(node.key(), "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");
    assertThat(server.checkFiles()).isFalse();
    assertThat(echo(connect(ca.caFile(), null), "same")).isEqualTo("same");
    Files.move(backup, node.key(), StandardCopyOption.REPLACE_EXISTING);

    // New files from a new CA, moved into place as a rotation would.
    Certificates next = Certificates.newCa(dir.resolve("next"), "Next CA");
    Certificates.Issued renewed = next.issue("node");
    Files.move(renewed.cert(), node.cert(), StandardCopyOption.REPLACE_EXISTING);
    Files.move(renewed.key(), node.key(), StandardCopyOption.REPLACE_EXISTING);
    // Picked up by the listener's own check, every second.
    await("a client of the new CA to get in", () -> {
      try {
        return echo(connect(next.caFile(), null), "new").equals("new");
      } catch (Exception e) {
        return false;
      }
    });
    assertThatThrownBy(() -> connect(ca.caFile(), null)).isInstanceOf(IOException.class);
    // The connection made before the rotation keeps its session.
    assertThat(echo(before, "still")).isEqualTo("still");
  }

  @Test
  void aKeyThatIsNotTheCertificatesIsRefused() throws Exception {
    start(ClientAuth.NONE, Map.of());
    Files.copy(client.key(), node.key(), StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> ServerTlsContext.checkKeyMatches(node.cert(), node.key()))
        .hasMessageContaining("is not the key of the certificate");
    assertThat(server.checkFiles()).isFalse();
    assertThat(echo(connect(ca.caFile(), null), "kept")).isEqualTo("kept");
  }

  @Test
  void maxClientsCountsTlsClients() throws Exception {
    start(ClientAuth.NONE, Map.of("rekko.proxy.max-clients", "1"));
    SSLSocket first = connect(ca.caFile(), null);
    assertThat(echo(first, "one")).isEqualTo("one");
    SSLSocket second = connect(ca.caFile(), null);
    assertThat(TlsClients.call(second, "", "-ERR max number of clients reached\r\n".length()))
        .isEqualTo("-ERR max number of clients reached\r\n");
    assertThat(second.getInputStream().read()).isEqualTo(-1);
    assertThat(ctx.clients()).isEqualTo(1);
  }

  @Test
  void unreadableFilesFailTheStart() throws Exception {
    Files.writeString(node.cert(), "not a certificate");
    assertThatThrownBy(() -> start(ClientAuth.NONE, Map.of()))
        .hasMessageContaining("rekko.proxy.tls: ")
        .hasMessageContaining(node.cert().toString());
    server = null;
  }
}
