package dev.rekko.redis.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.redis.TestWaits;
import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throw-away certificates ({@link Certificates}) and the contexts built from their PEM files
 * ({@link TlsContexts}) against the Redis binary the tests use, which is built with TLS: a client with
 * the CA and its own certificate gets PONG over {@code tls-port}; one without a client certificate, or
 * trusting another CA, is refused.
 */
class TlsContextsTest {
  @TempDir
  Path dir;

  @Test
  void redisServesTlsWithTheGeneratedCertificatesAndRefusesStrangers() throws Exception {
    Certificates ca = Certificates.newCa(dir, "rekko-test-ca");
    Certificates.Issued server = ca.issue("redis");
    Certificates.Issued client = ca.issue("client");
    assertThat(Files.readString(server.cert())).startsWith("-----BEGIN CERTIFICATE-----");
    int tlsPort = TestWaits.freePort();
    try (RedisServer redis = RedisServer.builder()
        .config("tls-port " + tlsPort)
        .config("tls-cert-file " + server.cert())
        .config("tls-key-file " + server.key())
        .config("tls-ca-cert-file " + ca.caFile())
        .config("tls-auth-clients yes")
        .start()) {
      SSLContext good = TlsContexts.client(Optional.of(ca.caFile()), Optional.of(client.cert()), Optional.of(client.key()));
      assertThat(ping(good, tlsPort)).isEqualTo("+PONG");

      SSLContext noCert = TlsContexts.client(Optional.of(ca.caFile()), Optional.empty(), Optional.empty());
      assertThatThrownBy(() -> ping(noCert, tlsPort)).isInstanceOf(IOException.class);

      Certificates other = Certificates.newCa(dir.resolve("other"), "another-ca");
      SSLContext stranger = TlsContexts.client(Optional.of(other.caFile()), Optional.of(client.cert()),
          Optional.of(client.key()));
      assertThatThrownBy(() -> ping(stranger, tlsPort)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void serverContextReadsTheKeyAndChain() throws Exception {
    Certificates ca = Certificates.newCa(dir, "ca");
    Certificates.Issued node = ca.issue("node");
    assertThat(TlsContexts.server(node.cert(), node.key(), Optional.of(ca.caFile())).getProtocol()).isEqualTo("TLS");
    assertThat(PemFiles.certificates(node.cert())).hasSize(1);
    assertThatThrownBy(() -> PemFiles.privateKey(node.cert())).hasMessageContaining("no unencrypted PEM private key");
  }

  private static String ping(SSLContext ctx, int port) throws IOException {
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      s.setEnabledProtocols(TlsContexts.PROTOCOLS);
      OutputStream out = s.getOutputStream();
      out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
        line.append((char) c);
      }
      if (line.length() == 0) {
        throw new IOException("closed without a reply");
      }
      return line.toString();
    }
  }
}
