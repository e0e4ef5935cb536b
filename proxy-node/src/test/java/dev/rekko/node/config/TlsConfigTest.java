package dev.rekko.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.typesafe.config.Config;
import dev.rekko.node.tls.ClusterTlsEngine;
import dev.rekko.redis.tls.Certificates;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rekko.admin.tls} and {@code rekko.cluster.tls}: read, checked against the files, and turned into Pekko's settings. */
class TlsConfigTest {
  @TempDir
  static Path dir;

  private static Certificates ca;
  private static Certificates.Issued node;
  private static Certificates.Issued other;

  @BeforeAll
  static void certificates() throws Exception {
    ca = Certificates.newCa(dir.resolve("ca"), "test-ca");
    node = ca.issue("node");
    other = ca.issue("other");
  }

  private static List<String> problems(Map<String, String> overrides) {
    NodeConfigException e = catchThrowableOfType(NodeConfigException.class, () -> NodeConfig.of(overrides));
    assertThat(e).as("expected a configuration error for %s", overrides).isNotNull();
    return e.problems();
  }

  @Test
  void offByDefault() {
    NodeConfig c = NodeConfig.of(Map.of());
    assertThat(c.admin().tls()).isEqualTo(AdminTls.OFF);
    assertThat(c.admin().tls().scheme()).isEqualTo("http");
    assertThat(c.cluster().tls()).isEqualTo(ClusterTls.OFF);
    assertThat(c.config().getString("pekko.remote.artery.transport")).isEqualTo("tcp");
  }

  @Test
  void clusterTlsBecomesArteryOverTlsWithRekkosEngine() {
    NodeConfig n = NodeConfig.of(Map.of("rekko.cluster.seed-nodes", "10.0.0.5:2600",
        "rekko.cluster.tls.enabled", "on", "rekko.cluster.tls.cert-file", node.cert().toString(),
        "rekko.cluster.tls.key-file", node.key().toString(), "rekko.cluster.tls.ca-file", ca.caFile().toString()));
    assertThat(n.cluster().tls()).isEqualTo(new ClusterTls(true, node.cert(), node.key(), ca.caFile()));
    Config c = n.config();
    assertThat(c.getString("pekko.remote.artery.transport")).isEqualTo("tls-tcp");
    assertThat(c.getString("pekko.remote.artery.ssl.ssl-engine-provider")).isEqualTo(ClusterTlsEngine.class.getName());
    assertThat(c.getString(ClusterTlsEngine.CONFIG + ".cert-file")).isEqualTo(node.cert().toAbsolutePath().toString());
    assertThat(c.getString(ClusterTlsEngine.CONFIG + ".key-file")).isEqualTo(node.key().toAbsolutePath().toString());
    assertThat(c.getString(ClusterTlsEngine.CONFIG + ".ca-file")).isEqualTo(ca.caFile().toAbsolutePath().toString());
    // Artery's protocol is pekko:// over tcp and tls-tcp alike.
    assertThat(n.cluster().seedAddresses()).containsExactly("pekko://rekko@10.0.0.5:2600");
    assertThat(NodeConfig.of(ClusterTls.overrides(node.cert(), node.key(), ca.caFile())).cluster().tls().enabled()).isTrue();
  }

  @Test
  void adminTlsIsRead() {
    NodeConfig n = NodeConfig.of(AdminTls.overrides(node.cert(), node.key(), Optional.of(ca.caFile()),
        AdminTls.ClientAuth.REQUIRED));
    assertThat(n.admin().tls()).isEqualTo(new AdminTls(true, node.cert().toAbsolutePath(), node.key().toAbsolutePath(),
        Optional.of(ca.caFile().toAbsolutePath()), AdminTls.ClientAuth.REQUIRED));
    assertThat(n.admin().tls().scheme()).isEqualTo("https");
    assertThat(NodeConfig.of(Map.of("rekko.admin.tls.enabled", "on", "rekko.admin.tls.cert-file", node.cert().toString(),
        "rekko.admin.tls.key-file", node.key().toString(), "rekko.admin.tls.client-auth", "Optional",
        "rekko.admin.tls.ca-file", ca.caFile().toString())).admin().tls().clientAuth())
        .isEqualTo(AdminTls.ClientAuth.OPTIONAL);
  }

  @Test
  void environmentVariablesSetBoth() {
    Map<String, String> env = new HashMap<>();
    env.put("REKKO_CLUSTER_TLS_ENABLED", "on");
    env.put("REKKO_CLUSTER_TLS_CERT_FILE", node.cert().toString());
    env.put("REKKO_CLUSTER_TLS_KEY_FILE", node.key().toString());
    env.put("REKKO_CLUSTER_TLS_CA_FILE", ca.caFile().toString());
    env.put("REKKO_ADMIN_TLS_ENABLED", "true");
    env.put("REKKO_ADMIN_TLS_CERT_FILE", node.cert().toString());
    env.put("REKKO_ADMIN_TLS_KEY_FILE", node.key().toString());
    env.put("REKKO_ADMIN_TLS_CA_FILE", ca.caFile().toString());
    env.put("REKKO_ADMIN_TLS_CLIENT_AUTH", "required");
    NodeConfig n = NodeConfig.load(Optional.empty(), Map.of(), env);
    assertThat(n.cluster().tls().enabled()).isTrue();
    assertThat(n.admin().tls().clientAuth()).isEqualTo(AdminTls.ClientAuth.REQUIRED);
  }

  @Test
  void enabledWithoutFilesNamesEachMissingKey() {
    assertThat(problems(Map.of("rekko.cluster.tls.enabled", "on"))).containsExactly(
        "rekko.cluster.tls.cert-file: must name a PEM file when rekko.cluster.tls.enabled is on",
        "rekko.cluster.tls.key-file: must name a PEM file when rekko.cluster.tls.enabled is on",
        "rekko.cluster.tls.ca-file: must name a PEM file when rekko.cluster.tls.enabled is on");
    assertThat(problems(Map.of("rekko.admin.tls.enabled", "on", "rekko.admin.tls.cert-file", node.cert().toString())))
        .containsExactly("rekko.admin.tls.key-file: must name a PEM file when rekko.admin.tls.enabled is on");
  }

  @Test
  void filesMustExistAndMatch() {
    Path missing = dir.resolve("missing.crt");
    assertThat(problems(Map.of("rekko.cluster.tls.enabled", "on", "rekko.cluster.tls.cert-file", missing.toString(),
        "rekko.cluster.tls.key-file", node.key().toString(), "rekko.cluster.tls.ca-file", ca.caFile().toString())))
        .containsExactly("rekko.cluster.tls.cert-file: " + missing.toAbsolutePath()
            + ": no such readable file (from -D rekko.cluster.tls.cert-file)");
    assertThat(problems(Map.of("rekko.cluster.tls.enabled", "on", "rekko.cluster.tls.cert-file", node.cert().toString(),
        "rekko.cluster.tls.key-file", other.key().toString(), "rekko.cluster.tls.ca-file", ca.caFile().toString())))
        .containsExactly("rekko.cluster.tls.key-file: " + other.key().toAbsolutePath()
            + " is not the key of the certificate in " + node.cert().toAbsolutePath());
    // A key where the certificate belongs.
    assertThat(problems(Map.of("rekko.admin.tls.enabled", "on", "rekko.admin.tls.cert-file", node.key().toString(),
        "rekko.admin.tls.key-file", node.key().toString())))
        .singleElement().asString().startsWith("rekko.admin.tls.cert-file: cannot use these PEM files: ");
  }

  @Test
  void clientCertificatesNeedTheCa() {
    assertThat(problems(Map.of("rekko.admin.tls.enabled", "on", "rekko.admin.tls.cert-file", node.cert().toString(),
        "rekko.admin.tls.key-file", node.key().toString(), "rekko.admin.tls.client-auth", "required")))
        .containsExactly("rekko.admin.tls.ca-file: client-auth = required needs the CA that client certificates "
            + "must chain to");
    assertThat(problems(Map.of("rekko.admin.tls.client-auth", "always"))).containsExactly(
        "rekko.admin.tls.client-auth: must be none, optional or required, got \"always\" (from -D rekko.admin.tls.client-auth)");
  }
}
