package dev.rekko.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rekko.node.config.ClientTls.ClientAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rekko.proxy.tls}: read from settings and the environment, and every mistake named by its key. */
class ClientTlsConfigTest {
  @TempDir
  Path dir;

  private Map<String, String> files() throws Exception {
    for (String f : new String[] {"node.crt", "node.key", "ca.crt"}) {
      Files.writeString(dir.resolve(f), "-----BEGIN NOTHING-----\n");
    }
    Map<String, String> m = new HashMap<>();
    m.put("rekko.proxy.tls.port", "19100");
    m.put("rekko.proxy.tls.cert-file", dir.resolve("node.crt").toString());
    m.put("rekko.proxy.tls.key-file", dir.resolve("node.key").toString());
    return m;
  }

  private static String problems(Map<String, String> overrides) {
    NodeConfigException e = catchThrowableOfType(NodeConfigException.class, () -> NodeConfig.of(overrides));
    assertThat(e).as("expected a configuration error for %s", overrides).isNotNull();
    return String.join("\n", e.problems());
  }

  @Test
  void offByDefault() {
    assertThat(NodeConfig.of(Map.of()).clientTls()).isEqualTo(ClientTls.OFF);
    assertThat(ClientTls.OFF.enabled()).isFalse();
  }

  @Test
  void portFilesAndClientAuth() throws Exception {
    Map<String, String> m = files();
    m.put("rekko.proxy.tls.ca-file", dir.resolve("ca.crt").toString());
    m.put("rekko.proxy.tls.client-auth", "Required");
    ClientTls tls = NodeConfig.of(m).clientTls();
    assertThat(tls).isEqualTo(new ClientTls(19100, dir.resolve("node.crt"), dir.resolve("node.key"),
        Optional.of(dir.resolve("ca.crt")), ClientAuth.REQUIRED));
    assertThat(tls.enabled()).isTrue();
  }

  @Test
  void environmentVariables() throws Exception {
    Map<String, String> m = files();
    Map<String, String> env = Map.of(
        "REKKO_PROXY_TLS_PORT", m.get("rekko.proxy.tls.port"),
        "REKKO_PROXY_TLS_CERT_FILE", m.get("rekko.proxy.tls.cert-file"),
        "REKKO_PROXY_TLS_KEY_FILE", m.get("rekko.proxy.tls.key-file"),
        "REKKO_PROXY_TLS_CA_FILE", dir.resolve("ca.crt").toString(),
        "REKKO_PROXY_TLS_CLIENT_AUTH", "optional");
    ClientTls tls = NodeConfig.load(Optional.empty(), Map.of(), env).clientTls();
    assertThat(tls.port()).isEqualTo(19100);
    assertThat(tls.caFile()).contains(dir.resolve("ca.crt"));
    assertThat(tls.clientAuth()).isEqualTo(ClientAuth.OPTIONAL);
  }

  @Test
  void aPortWithoutFilesNamesTheKeys() {
    assertThat(problems(Map.of("rekko.proxy.tls.port", "19100")))
        .contains("rekko.proxy.tls.cert-file: must name a PEM file when rekko.proxy.tls.port is set")
        .contains("rekko.proxy.tls.key-file: must name a PEM file when rekko.proxy.tls.port is set");
  }

  @Test
  void missingFilesAreNamed() throws Exception {
    Map<String, String> m = files();
    m.put("rekko.proxy.tls.key-file", dir.resolve("gone.key").toString());
    m.put("rekko.proxy.tls.ca-file", dir.resolve("gone-ca.crt").toString());
    assertThat(problems(m))
        .contains("rekko.proxy.tls.key-file: " + dir.resolve("gone.key") + ": no such readable file")
        .contains("rekko.proxy.tls.ca-file: " + dir.resolve("gone-ca.crt") + ": no such readable file");
  }

  @Test
  void clientCertificatesNeedACa() throws Exception {
    Map<String, String> m = files();
    m.put("rekko.proxy.tls.client-auth", "required");
    assertThat(problems(m)).isEqualTo("rekko.proxy.tls.ca-file: must name the CA that client certificates chain "
        + "to when rekko.proxy.tls.client-auth is required");
  }

  @Test
  void badValues() throws Exception {
    Map<String, String> m = files();
    m.put("rekko.proxy.tls.client-auth", "yes");
    assertThat(problems(m)).startsWith("rekko.proxy.tls.client-auth: must be none, optional or required, got \"yes\"");
    m = files();
    m.put("rekko.proxy.tls.port", "70000");
    assertThat(problems(m)).startsWith("rekko.proxy.tls.port: 70000 is out of range, must be 0..65535");
    m = files();
    m.put("rekko.proxy.tls.port", "19000");
    assertThat(problems(m)).isEqualTo("rekko.proxy.tls.port: 19000 is also the RESP, HTTP or cluster port");
  }

  @Test
  void filesAreNotCheckedWhileOff() {
    assertThat(NodeConfig.of(Map.of("rekko.proxy.tls.cert-file", "/nowhere.crt", "rekko.proxy.tls.client-auth",
        "required")).clientTls()).isEqualTo(ClientTls.OFF);
  }
}
