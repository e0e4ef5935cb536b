package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.rekko.node.Demo;
import dev.rekko.node.FreePorts;
import dev.rekko.node.demo.NodeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * {@code demo --tls} as it runs, kept small (one node JVM, one Redis, the plain port on the Streams
 * transport through {@code -D}): a client that trusts the CA named in READY is served on the TLS port
 * READY names, and sees what a plain client wrote.
 */
class DemoTlsEndToEndTest {

  @Test
  void aClientTrustingTheReadyLinesCaIsServedOnItsTlsPort() {
    assertTimeoutPreemptively(Duration.ofMinutes(4), () -> {
      int base = FreePorts.base(1);
      while (!FreePortsCheck.free(base + Demo.TLS_PORT_OFFSET)) {
        base = FreePorts.base(1);
      }
      Demo.Options options = new Demo.Options(1, 1, 0, base, FreePorts.base(1), FreePorts.base(1), Optional.empty(),
          Map.of("rekko.dispatcher.parallelism", "1", "rekko.proxy.transport", "streams"), Duration.ofMinutes(3),
          true);
      try (Demo demo = Demo.start(options, NodeProcess::start)) {
        Matcher m = Pattern.compile(" tls=127\\.0\\.0\\.1:(\\d+) ca=(\\S+)$").matcher(demo.readyLine());
        assertThat(m.find()).as(demo.readyLine()).isTrue();
        int tlsPort = Integer.parseInt(m.group(1));
        assertThat(tlsPort).isEqualTo(base + 100);
        try (Jedis plain = new Jedis(new HostAndPort("127.0.0.1", base), DefaultJedisClientConfig.builder()
            .autoNegotiateProtocol(false).timeoutMillis(10_000).build())) {
          assertThat(plain.set("demo:tls", "hello")).isEqualTo("OK");
        }
        SSLParameters params = new SSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        try (Jedis tls = new Jedis(new HostAndPort("127.0.0.1", tlsPort), DefaultJedisClientConfig.builder()
            .autoNegotiateProtocol(false).timeoutMillis(10_000).ssl(true).sslParameters(params)
            .sslSocketFactory(TlsClients.context(Path.of(m.group(2)), null).getSocketFactory()).build())) {
          assertThat(tls.get("demo:tls")).isEqualTo("hello");
          assertThat(tls.del("demo:tls")).isEqualTo(1L);
        }
      }
    });
  }

  /** Whether a loopback port is free now. */
  private static final class FreePortsCheck {
    static boolean free(int port) {
      try (var s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return true;
      } catch (java.io.IOException e) {
        return false;
      }
    }
  }
}
