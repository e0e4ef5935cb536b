package dev.rekko.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.Demo;
import dev.rekko.node.FreePorts;
import dev.rekko.node.config.ClientTls;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.demo.DemoCertificates;
import dev.rekko.node.demo.NodeSpec;
import dev.rekko.node.demo.StubNode;
import dev.rekko.redis.tls.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@code demo --tls} with stand-ins for the node JVMs: the certificates, each node's TLS settings, READY. */
class DemoTlsTest {

  @Test
  void certificatesPerNodeAndTheTlsPortsInReady() throws Exception {
    List<StubNode> nodes = new CopyOnWriteArrayList<>();
    Demo.Options o = new Demo.Options(2, 1, 0, FreePorts.base(2), FreePorts.base(2), FreePorts.base(2),
        Optional.empty(), Map.of("rekko.proxy.tls.client-auth", "optional"), Duration.ofSeconds(60), true);
    Path dir;
    try (Demo demo = Demo.start(o, StubNode.ready(nodes, 2))) {
      dir = demo.dir();
      DemoCertificates certs = demo.certificates().orElseThrow();
      assertThat(certs.caFile()).isEqualTo(dir.resolve("tls/ca.crt").toAbsolutePath()).exists();
      X509Certificate ca = PemFiles.certificates(certs.caFile()).get(0);
      for (int i = 0; i < 2; i++) {
        NodeSpec spec = nodes.get(i).spec();
        ClientTls tls = NodeConfig.of(spec.settings()).clientTls();
        assertThat(tls.port()).isEqualTo(o.basePort() + 100 + i);
        assertThat(tls.certFile()).isEqualTo(dir.resolve("tls/node-" + i + ".crt"));
        assertThat(tls.keyFile()).isEqualTo(dir.resolve("tls/node-" + i + ".key")).exists();
        assertThat(tls.caFile()).contains(certs.caFile());
        // The user's client-auth stands; the demo sets only ports and files.
        assertThat(tls.clientAuth()).isEqualTo(ClientTls.ClientAuth.OPTIONAL);
        X509Certificate cert = PemFiles.certificates(tls.certFile()).get(0);
        cert.verify(ca.getPublicKey());
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=node-" + i);
      }
      assertThat(certs.client().cert()).exists();
      assertThat(demo.readyLine()).endsWith(" tls=127.0.0.1:" + (o.basePort() + 100) + ",127.0.0.1:"
          + (o.basePort() + 101) + " ca=" + certs.caFile());
    }
    assertThat(dir).doesNotExist();
  }

  @Test
  void withoutTlsNothingChanges() throws Exception {
    List<StubNode> nodes = new CopyOnWriteArrayList<>();
    Demo.Options o = new Demo.Options(1, 1, 0, FreePorts.base(1), FreePorts.base(1), FreePorts.base(1),
        Optional.empty(), Map.of(), Duration.ofSeconds(60));
    try (Demo demo = Demo.start(o, StubNode.ready(nodes, 1))) {
      assertThat(demo.certificates()).isEmpty();
      assertThat(demo.readyLine()).doesNotContain("tls=").doesNotContain("ca=");
      assertThat(nodes.get(0).spec().settings()).doesNotContainKey("rekko.proxy.tls.port");
      assertThat(Files.exists(demo.dir().resolve("tls"))).isFalse();
    }
  }
}
