package dev.rekko.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.redis.tls.BackendTls;
import dev.rekko.redis.tls.Certificates;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rekko.backend.tls}: off by default; on, one client context reaches every kind of backend
 * connection (the pool's options, the coordinator's admin calls and health checks, the movers); bad files
 * stop the node at start naming their key.
 */
class BackendTlsConfigTest {
  @TempDir
  Path dir;

  @Test
  void offByDefault() {
    NodeConfig c = NodeConfig.of(Map.of());
    assertThat(c.backend().connections().tls()).isNull();
    assertThat(c.coordinator().backendTls()).isNull();
    assertThat(c.migration().groupMover().credentials().tls()).isNull();
  }

  @Test
  void environmentTurnsItOnForEveryBackendConnection() throws Exception {
    Certificates ca = Certificates.newCa(dir, "ca");
    Certificates.Issued me = ca.issue("rekko");
    NodeConfig c = NodeConfig.load(Optional.empty(), Map.of(), Map.of(
        "REKKO_BACKEND_TLS_ENABLED", "on",
        "REKKO_BACKEND_TLS_CA_FILE", ca.caFile().toString(),
        "REKKO_BACKEND_TLS_CERT_FILE", me.cert().toString(),
        "REKKO_BACKEND_TLS_KEY_FILE", me.key().toString()));
    BackendTls tls = c.backend().connections().tls();
    assertThat(tls).isNotNull();
    assertThat(c.coordinator().backendTls()).isSameAs(tls);
    assertThat(c.migration().groupMover().credentials().tls()).isSameAs(tls);
    assertThat(c.coordinator().toString()).contains("backendTls=on");
  }

  @Test
  void aCaAloneIsEnoughForServersWithoutClientAuth() throws Exception {
    Certificates ca = Certificates.newCa(dir, "ca");
    NodeConfig c = NodeConfig.of(Map.of("rekko.backend.tls.enabled", "on",
        "rekko.backend.tls.ca-file", ca.caFile().toString()));
    assertThat(c.backend().connections().tls()).isNotNull();
  }

  @Test
  void missingFilesAndHalfAClientCertificateAreRefused() throws Exception {
    assertThatThrownBy(() -> NodeConfig.of(Map.of("rekko.backend.tls.enabled", "on",
        "rekko.backend.tls.ca-file", dir.resolve("nope.crt").toString())))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageContaining("rekko.backend.tls.ca-file: cannot read " + dir.resolve("nope.crt"));

    Certificates ca = Certificates.newCa(dir, "ca");
    Certificates.Issued me = ca.issue("rekko");
    assertThatThrownBy(() -> NodeConfig.of(Map.of("rekko.backend.tls.enabled", "on",
        "rekko.backend.tls.ca-file", ca.caFile().toString(),
        "rekko.backend.tls.cert-file", me.cert().toString())))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageContaining("rekko.backend.tls.key-file: cert-file and key-file go together");

    // A key file that is a certificate: the context cannot be built.
    assertThatThrownBy(() -> NodeConfig.of(Map.of("rekko.backend.tls.enabled", "on",
        "rekko.backend.tls.ca-file", ca.caFile().toString(),
        "rekko.backend.tls.cert-file", me.cert().toString(),
        "rekko.backend.tls.key-file", me.cert().toString())))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageContaining("rekko.backend.tls.cert-file: cannot build the backend TLS context");
  }

  @Test
  void filesAreNotCheckedWhileTlsIsOff() {
    NodeConfig c = NodeConfig.of(Map.of("rekko.backend.tls.ca-file", dir.resolve("nope.crt").toString()));
    assertThat(c.backend().connections().tls()).isNull();
  }
}
