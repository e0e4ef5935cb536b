package dev.rekko.node.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.rekko.node.demo.ClusterReadiness.Endpoint;
import dev.rekko.redis.tls.Certificates;
import dev.rekko.redis.tls.TlsContexts;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's readiness check against nodes whose API is HTTPS ({@code rekko.admin.tls}). */
class DemoReadinessHttpsTest {
  @TempDir
  Path dir;

  @Test
  void readinessReadsTheTopologyOverHttpsWithTheCa() throws Exception {
    Certificates ca = Certificates.newCa(dir, "demo-ca");
    Certificates.Issued cert = ca.issue("node");
    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setHttpsConfigurator(new HttpsConfigurator(TlsContexts.server(cert.cert(), cert.key(), Optional.empty())));
    server.createContext("/api/topology", exchange -> {
      byte[] body = TopologyJson.ready(1, 1).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    try (PongServer resp = PongServer.start(0)) {
      List<Endpoint> endpoints = List.of(
          new Endpoint(0, "127.0.0.1", server.getAddress().getPort(), "127.0.0.1", resp.port(), ""));
      ClusterReadiness https = new ClusterReadiness(endpoints, List.of(),
          Optional.of(TlsContexts.client(Optional.of(ca.caFile()), Optional.empty(), Optional.empty())));
      assertThat(https.missing()).isEmpty();
      // Plain HTTP to the HTTPS port is not an answer.
      assertThat(new ClusterReadiness(endpoints, List.of()).missing().get(0))
          .anyMatch(p -> p.startsWith("HTTP not answering"));
    } finally {
      server.stop(0);
    }
  }
}
