package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rekko.node.FreePorts;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.redis.tls.Certificates;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * Client TLS through a whole node (two Redis groups) with mutual TLS required: Jedis, Lettuce and
 * OpenSSL's own client (the TLS stack of {@code redis-cli --tls}) are served, the same commands answer as
 * on one Redis, a client without a certificate of the CA is refused while the plain port and the other
 * TLS clients go on. {@link ClientTlsStreamsTest} runs it with the plain port on the Streams transport.
 */
class ClientTlsTest {
  private static ProxyFixture fx;
  private static Path dir;
  private static Certificates ca;
  private static Certificates.Issued client;
  private static int tlsPort;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("rekko-client-tls-");
    ca = Certificates.newCa(dir, "Rekko test CA");
    Certificates.Issued node = ca.issue("node");
    client = ca.issue("client");
    tlsPort = FreePorts.port();
    fx = ProxyFixture.builder().groups(2)
        .set("rekko.proxy.tls.port", Integer.toString(tlsPort))
        .set("rekko.proxy.tls.cert-file", node.cert().toString())
        .set("rekko.proxy.tls.key-file", node.key().toString())
        .set("rekko.proxy.tls.ca-file", ca.caFile().toString())
        .set("rekko.proxy.tls.client-auth", "required")
        .start();
  }

  @AfterAll
  static void stop() throws IOException {
    if (fx != null) {
      fx.close();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static Jedis tlsJedis(Certificates.Issued cert) throws Exception {
    SSLParameters params = new SSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS");
    return new Jedis(new HostAndPort("127.0.0.1", tlsPort), DefaultJedisClientConfig.builder()
        .autoNegotiateProtocol(false).timeoutMillis(ProxyFixture.TIMEOUT_MILLIS)
        .ssl(true).sslSocketFactory(TlsClients.context(ca.caFile(), cert).getSocketFactory()).sslParameters(params)
        .build());
  }

  /** A little of every kind of command, as one client sends them; the replies as text. */
  private static List<String> workload(Jedis j) {
    List<String> out = new ArrayList<>();
    Function<Object, Boolean> add = o -> out.add(String.valueOf(o));
    String big = "x".repeat(300_000);
    add.apply(j.ping());
    add.apply(j.set("tls:a", "1"));
    add.apply(j.incr("tls:a"));
    add.apply(j.mset("tls:b", "2", "tls:c", "3", "{tls}d", "4"));
    add.apply(j.mget("tls:a", "tls:b", "tls:c", "{tls}d", "tls:none"));
    add.apply(j.set("tls:big", big));
    add.apply(j.get("tls:big").equals(big));
    add.apply(j.rpush("tls:list", "x", "y", "z"));
    add.apply(j.lrange("tls:list", 0, -1));
    add.apply(j.exists("tls:a", "tls:b", "tls:none"));
    Pipeline p = j.pipelined();
    for (int i = 0; i < 500; i++) {
      p.set("tls:p" + i, "v" + i);
      p.get("tls:p" + i);
    }
    add.apply(p.syncAndReturnAll());
    add.apply(j.del("tls:a", "tls:b", "tls:c", "{tls}d", "tls:big", "tls:list"));
    return out;
  }

  @Test
  void jedisOverTlsAnswersAsOneRedis() throws Exception {
    List<String> direct;
    try (RedisServer one = RedisServer.builder().start();
        Jedis j = new Jedis(new HostAndPort("127.0.0.1", one.port()), DefaultJedisClientConfig.builder()
            .autoNegotiateProtocol(false).timeoutMillis(ProxyFixture.TIMEOUT_MILLIS).build())) {
      direct = workload(j);
    }
    try (Jedis j = tlsJedis(client)) {
      assertThat(workload(j)).isEqualTo(direct);
    }
  }

  @Test
  void lettuceOverTls() {
    RedisClient lettuce = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(tlsPort)
        .withSsl(true).withVerifyPeer(true).withTimeout(Duration.ofMillis(ProxyFixture.TIMEOUT_MILLIS)).build());
    try {
      lettuce.setOptions(ClientOptions.builder().sslOptions(SslOptions.builder().jdkSslProvider()
          .trustManager(ca.caFile().toFile())
          .keyManager(client.cert().toFile(), client.key().toFile(), null).build()).build());
      // Lettuce negotiates RESP3 with HELLO on connect.
      try (StatefulRedisConnection<String, String> c = lettuce.connect()) {
        var sync = c.sync();
        assertThat(sync.set("tls:lettuce", "yes")).isEqualTo("OK");
        assertThat(sync.get("tls:lettuce")).isEqualTo("yes");
        assertThat(sync.hset("tls:hash", java.util.Map.of("f1", "1", "f2", "2"))).isEqualTo(2L);
        assertThat(sync.hgetall("tls:hash")).containsEntry("f1", "1").containsEntry("f2", "2");
        assertThat(sync.del("tls:lettuce", "tls:hash")).isEqualTo(2L);
      }
    } finally {
      lettuce.shutdown(0, 5, TimeUnit.SECONDS);
    }
  }

  @Test
  void clientsWithoutTheCasCertificateAreRefusedAndNobodyElseNotices() throws Exception {
    Certificates.Issued stranger = Certificates.newCa(dir.resolve("other"), "Other CA").issue("stranger");
    try (LogCapture log = new LogCapture(TlsServer.class); Jedis good = tlsJedis(client); Jedis plain = fx.jedis()) {
      assertThat(good.set("tls:k", "v")).isEqualTo("OK");
      assertThat(plain.get("tls:k")).isEqualTo("v");
      for (Certificates.Issued bad : new Certificates.Issued[] {null, stranger}) {
        assertThatThrownBy(() -> {
          try (Jedis j = tlsJedis(bad)) {
            j.ping();
          }
        }).isInstanceOf(redis.clients.jedis.exceptions.JedisConnectionException.class);
      }
      assertThat(good.get("tls:k")).isEqualTo("v");
      assertThat(plain.del("tls:k")).isEqualTo(1L);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (log.warnings("TLS handshake with client").size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(log.warnings("TLS handshake with client 127.0.0.1:")).hasSize(2);
      assertThat(fx.node().context().stats.snapshot().sessions().tlsHandshakeFailures()).isEqualTo(2);
      assertThat(dev.rekko.node.http.MetricsRoutes.render(fx.node().context().stats))
          .contains("rekko_tls_handshake_failures_total 2");
    }
  }

  /**
   * OpenSSL's {@code s_client}, which speaks TLS as {@code redis-cli --tls} does (both are OpenSSL),
   * checking the node's certificate and name; QUIT closes the TLS session, and s_client ends.
   */
  @Test
  void openSslClient() throws Exception {
    assumeTrue(onPath("openssl"), "openssl is not installed");
    String out = run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + tlsPort, "-CAfile",
        ca.caFile().toString(), "-cert", client.cert().toString(), "-key", client.key().toString(),
        "-verify_return_error", "-verify_ip", "127.0.0.1", "-quiet", "-ign_eof"), "PING\r\nQUIT\r\n");
    assertThat(out).contains("+PONG\r\n+OK\r\n");
  }

  /** {@code redis-cli --tls}, where this machine has a redis-cli built with TLS (Debian's redis-tools). */
  @Test
  void redisCli() throws Exception {
    assumeTrue(onPath("redis-cli") && run(List.of("redis-cli", "--help"), "").contains("--tls"),
        "no redis-cli with --tls on this machine");
    List<String> base = List.of("redis-cli", "--tls", "--cacert", ca.caFile().toString(), "--cert",
        client.cert().toString(), "--key", client.key().toString(), "-h", "127.0.0.1", "-p", Integer.toString(tlsPort));
    List<String> set = new ArrayList<>(base);
    set.addAll(List.of("SET", "tls:cli", "hello"));
    assertThat(run(set, "").trim()).isEqualTo("OK");
    List<String> get = new ArrayList<>(base);
    get.addAll(List.of("GET", "tls:cli"));
    assertThat(run(get, "").trim()).isEqualTo("hello");
  }

  private static boolean onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, program))) {
        return true;
      }
    }
    return false;
  }

  private static String run(List<String> command, String input) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      p.getOutputStream().write(input.getBytes(StandardCharsets.US_ASCII));
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s ended", command).isTrue();
      return out;
    } finally {
      p.destroyForcibly();
    }
  }
}
