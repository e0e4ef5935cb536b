package dev.rekko.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An HTTP API reachable from the network without a token would let anyone there migrate slots or remove
 * servers: a node refuses to start that way unless told it is meant.
 */
class AdminExposureTest {

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "::", "10.0.0.5", "192.168.1.20", "fe80::1", "rekko-1.example.com"})
  void aNonLoopbackApiWithoutATokenIsAConfigError(String host) {
    NodeConfigException e = catchThrowableOfType(NodeConfigException.class,
        () -> NodeConfig.of(Map.of("rekko.admin.host", host)));
    assertThat(e).as("no error for %s", host).isNotNull();
    assertThat(e.problems()).singleElement().asString()
        .startsWith("rekko.admin.host: " + host + " is not a loopback address and rekko.admin.token is empty")
        .contains("rekko.admin.allow-unauthenticated = on");
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.0.0.2", "localhost", "LOCALHOST", "::1"})
  void loopbackNeedsNoToken(String host) {
    assertThat(NodeConfig.of(Map.of("rekko.admin.host", host)).admin().host()).isEqualTo(host);
  }

  @Test
  void aTokenOrTheExplicitSettingAllowsAnyAddress() {
    assertThat(NodeConfig.of(Map.of("rekko.admin.host", "0.0.0.0", "rekko.admin.token", "s3cret"))
        .admin().tokenRequired()).isTrue();
    AdminSettings open = NodeConfig.of(Map.of("rekko.admin.host", "0.0.0.0",
        "rekko.admin.allow-unauthenticated", "on")).admin();
    assertThat(open.allowUnauthenticated()).isTrue();
    assertThat(open.tokenRequired()).isFalse();
  }

  @Test
  void theSettingAndItsEnvironmentVariableDefaultToOff() {
    assertThat(NodeConfig.of(Map.of()).admin().allowUnauthenticated()).isFalse();
    NodeConfig fromEnv = NodeConfig.load(java.util.Optional.empty(), Map.of("rekko.admin.host", "0.0.0.0"),
        Map.of("REKKO_ADMIN_ALLOW_UNAUTHENTICATED", "on"));
    assertThat(fromEnv.admin().allowUnauthenticated()).isTrue();
  }
}
