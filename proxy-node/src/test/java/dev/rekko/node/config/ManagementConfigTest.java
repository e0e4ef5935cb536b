package dev.rekko.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.typesafe.config.Config;
import dev.rekko.node.config.ClusterSettings.Bootstrap;
import dev.rekko.node.config.ManagementSettings.DiscoveryMethod;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code rekko.cluster.bootstrap = management}: the settings, their environment variables, what they
 * become in Pekko's own settings, and the configuration errors.
 */
class ManagementConfigTest {

  private static Map<String, String> management(String... more) {
    Map<String, String> m = new HashMap<>(Map.of("rekko.cluster.bootstrap", "management"));
    for (int i = 0; i < more.length; i += 2) {
      m.put(more[i], more[i + 1]);
    }
    return m;
  }

  private static List<String> problems(Map<String, String> overrides) {
    NodeConfigException e = catchThrowableOfType(NodeConfigException.class, () -> NodeConfig.of(overrides));
    assertThat(e).as("expected a configuration error for %s", overrides).isNotNull();
    return e.problems();
  }

  @Test
  void seedNodesByDefaultWithNoManagementSettingsInPekko() {
    NodeConfig c = NodeConfig.of(Map.of());
    assertThat(c.cluster().bootstrap()).isEqualTo(Bootstrap.SEED_NODES);
    ManagementSettings m = c.cluster().management();
    assertThat(m.host()).isEqualTo("127.0.0.1");
    assertThat(m.port()).isEqualTo(8558);
    assertThat(m.method()).isEqualTo(DiscoveryMethod.KUBERNETES_API);
    assertThat(m.serviceName()).isEqualTo("rekko");
    assertThat(m.requiredContactPoints()).isEqualTo(3);
    assertThat(m.portName()).isEqualTo("management");
    assertThat(m.podLabelSelector()).isEqualTo("app=%s");
    assertThat(m.endpoints()).isEmpty();
    assertThat(c.config().hasPath("pekko.discovery.method")).as("Pekko's own default, untouched").isTrue();
    assertThat(c.config().getString("pekko.discovery.method")).isEqualTo("<method>");
  }

  @Test
  void theConfigMethodListsTheEndpointsForPekko() {
    NodeConfig c = NodeConfig.of(management("rekko.cluster.discovery.method", "config",
        "rekko.cluster.management.port", "9001", "rekko.cluster.host", "10.0.0.5",
        "rekko.cluster.discovery.endpoints", "[\"10.0.0.5:9001\", \"10.0.0.6:9001\", \"10.0.0.7:9002\"]"));
    Config p = c.config();
    assertThat(p.getString("pekko.management.http.hostname")).as("defaults to the cluster host").isEqualTo("10.0.0.5");
    assertThat(p.getInt("pekko.management.http.port")).isEqualTo(9001);
    assertThat(p.getString("pekko.discovery.method")).isEqualTo("config");
    String bootstrap = "pekko.management.cluster.bootstrap.";
    assertThat(p.getString(bootstrap + "contact-point-discovery.service-name")).isEqualTo("rekko");
    assertThat(p.getInt(bootstrap + "contact-point-discovery.required-contact-point-nr")).isEqualTo(3);
    assertThat(p.getBoolean(bootstrap + "contact-point.filter-on-fallback-port")).isFalse();
    List<? extends Config> endpoints = p.getConfigList("pekko.discovery.config.services.rekko.endpoints");
    assertThat(endpoints).extracting(e -> e.getString("host") + ":" + e.getInt("port"))
        .containsExactly("10.0.0.5:9001", "10.0.0.6:9001", "10.0.0.7:9002");
    assertThat(p.getStringList("pekko.cluster.seed-nodes")).isEmpty();
  }

  @Test
  void kubernetesFromTheEnvironment() {
    NodeConfig c = NodeConfig.load(Optional.empty(), Map.of(), Map.of(
        "REKKO_CLUSTER_BOOTSTRAP", "management",
        "REKKO_CLUSTER_HOST", "10.1.2.3",
        "REKKO_CLUSTER_MANAGEMENT_PORT", "8559",
        "REKKO_CLUSTER_DISCOVERY_METHOD", "kubernetes-api",
        "REKKO_CLUSTER_DISCOVERY_SERVICE_NAME", "rekko-prod",
        "REKKO_CLUSTER_DISCOVERY_REQUIRED_CONTACT_POINTS", "5",
        "REKKO_CLUSTER_DISCOVERY_POD_LABEL_SELECTOR", "app.kubernetes.io/name=%s"));
    assertThat(c.cluster().bootstrap()).isEqualTo(Bootstrap.MANAGEMENT);
    Config p = c.config();
    assertThat(p.getString("pekko.management.http.hostname")).isEqualTo("10.1.2.3");
    assertThat(p.getInt("pekko.management.http.port")).isEqualTo(8559);
    assertThat(p.getString("pekko.discovery.method")).isEqualTo("kubernetes-api");
    String discovery = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    assertThat(p.getString(discovery + "service-name")).isEqualTo("rekko-prod");
    assertThat(p.getString(discovery + "port-name")).isEqualTo("management");
    assertThat(p.getInt(discovery + "required-contact-point-nr")).isEqualTo(5);
    assertThat(p.getString("pekko.discovery.kubernetes-api.pod-label-selector")).isEqualTo("app.kubernetes.io/name=%s");
  }

  @Test
  void dnsTakesTheManagementHostAndTheDefaultFallbackPort() {
    NodeConfig c = NodeConfig.of(management("rekko.cluster.discovery.method", "pekko-dns",
        "rekko.cluster.management.host", "192.168.1.9", "rekko.cluster.discovery.service-name", "rekko.svc"));
    Config p = c.config();
    assertThat(p.getString("pekko.management.http.hostname")).isEqualTo("192.168.1.9");
    assertThat(p.getString("pekko.discovery.method")).isEqualTo("pekko-dns");
    assertThat(p.getString("pekko.management.cluster.bootstrap.contact-point-discovery.port-name")).isEmpty();
    assertThat(p.getBoolean("pekko.management.cluster.bootstrap.contact-point.filter-on-fallback-port")).isTrue();
  }

  @Test
  void formNewClusterLeavesPekkosSeedNodeTimeoutAloneWithBootstrap() {
    NodeConfig c = NodeConfig.of(management("rekko.cluster.form-new-cluster", "on"));
    assertThat(c.config().getDuration("pekko.cluster.seed-node-timeout")).isEqualTo(java.time.Duration.ofSeconds(5));
  }

  @Test
  void theConfigMethodNeedsEndpoints() {
    assertThat(problems(management("rekko.cluster.discovery.method", "config"))).containsExactly(
        "rekko.cluster.discovery.endpoints: names no management endpoint: the config discovery method needs every "
            + "node's rekko.cluster.management host:port (the same list on every node)");
  }

  @Test
  void badSettingsAreNamed() {
    assertThat(problems(Map.of("rekko.cluster.bootstrap", "zookeeper"))).singleElement().asString()
        .startsWith("rekko.cluster.bootstrap: must be seed-nodes or management, got \"zookeeper\"");
    assertThat(problems(management("rekko.cluster.discovery.method", "consul"))).singleElement().asString()
        .startsWith("rekko.cluster.discovery.method: must be kubernetes-api, config or pekko-dns, got \"consul\"");
    assertThat(problems(management("rekko.cluster.seed-nodes", "[\"127.0.0.1:2551\"]"))).containsExactly(
        "rekko.cluster.seed-nodes: must be empty with rekko.cluster.bootstrap = management: Cluster Bootstrap "
            + "finds the other nodes itself");
    assertThat(problems(management("rekko.cluster.discovery.method", "config",
        "rekko.cluster.discovery.endpoints", "127.0.0.1:8558,127.0.0.1:8559"))).containsExactly(
        "rekko.cluster.discovery.required-contact-points: 3 is more than the 2 rekko.cluster.discovery.endpoints: "
            + "a new cluster would never form");
    assertThat(problems(management("rekko.cluster.management.port", "19000"))).containsExactly(
        "rekko.cluster.management.port: 19000 is also the RESP, HTTP or cluster port");
    assertThat(problems(management("rekko.cluster.discovery.endpoints", "[\"nohost\"]")))
        .anySatisfy(p -> assertThat(p).startsWith("rekko.cluster.discovery.endpoints: \"nohost\" is not host:port"));
    assertThat(problems(management("rekko.cluster.discovery.required-contact-points", "0"))).singleElement()
        .asString().startsWith("rekko.cluster.discovery.required-contact-points: 0 is out of range, must be 1..1000");
  }
}
