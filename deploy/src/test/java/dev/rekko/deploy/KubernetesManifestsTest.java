package dev.rekko.deploy;

import static dev.rekko.deploy.Manifests.at;
import static dev.rekko.deploy.Manifests.integer;
import static dev.rekko.deploy.Manifests.listAt;
import static dev.rekko.deploy.Manifests.map;
import static dev.rekko.deploy.Manifests.mapAt;
import static dev.rekko.deploy.Manifests.str;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rekko.deploy.Manifests.Doc;
import dev.rekko.node.config.NodeConfig;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The manifests under kubernetes/ parse, and agree with each other and with the node's settings. */
class KubernetesManifestsTest {
  private static Manifests manifests;
  private static Map<String, Object> statefulSet;
  private static Map<String, Object> pod;
  private static Map<String, Object> container;
  /** Container port name to number. */
  private static Map<String, Integer> ports;
  private static Config conf;

  @BeforeAll
  static void load() throws Exception {
    manifests = Manifests.load(Distribution.file("kubernetes"));
    statefulSet = manifests.one("StatefulSet").body();
    pod = mapAt(statefulSet, "spec.template.spec");
    List<Map<String, Object>> containers = listAt(pod, "containers");
    assertThat(containers).hasSize(1);
    container = containers.get(0);
    ports = listAt(container, "ports").stream()
        .collect(Collectors.toMap(p -> str(p, "name"), p -> integer(p, "containerPort")));
    conf = ConfigFactory.parseString((String) mapAt(manifests.one("ConfigMap").body(), "data").get("rekko.conf"));
  }

  @Test
  void everyManifestIsAKindKubectlApplies() throws Exception {
    assertThat(manifests.all().stream().map(Doc::kind)).containsExactlyInAnyOrder("ServiceAccount", "Role",
        "RoleBinding", "ConfigMap", "Service", "Service", "StatefulSet", "PodDisruptionBudget", "Kustomization");
    for (Doc d : manifests.all()) {
      assertThat(d.body()).as(d.file()).containsKey("apiVersion");
      if (!d.kind().equals("Kustomization")) {
        assertThat(d.name()).as(d.file()).isNotBlank();
      }
    }
    // kubectl apply -k applies every other file
    List<String> files;
    try (var list = Files.list(Distribution.file("kubernetes"))) {
      files = list.map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml")).toList();
    }
    @SuppressWarnings("unchecked")
    List<String> resources = (List<String>) at(manifests.one("Kustomization").body(), "resources");
    assertThat(resources).containsExactlyInAnyOrderElementsOf(files);
  }

  @Test
  void statefulSetRunsThreeStableNodesThatLeaveGracefully() {
    assertThat(integer(statefulSet, "spec.replicas")).isEqualTo(3);
    assertThat(str(statefulSet, "spec.podManagementPolicy")).isEqualTo("Parallel");
    assertThat(integer(pod, "terminationGracePeriodSeconds")).isGreaterThanOrEqualTo(60);
    assertThat(labels()).containsAllEntriesOf(mapAt(statefulSet, "spec.selector.matchLabels"));
    assertThat(mapAt(container, "resources.requests")).containsKeys("cpu", "memory");
    assertThat(mapAt(container, "resources.limits")).containsKey("memory");
    assertThat(str(container, "image")).isEqualTo("rekko");
  }

  @Test
  void probesAskReadyAndAlive() {
    assertThat(str(container, "readinessProbe.httpGet.path")).isEqualTo("/api/ready");
    assertThat(str(container, "livenessProbe.httpGet.path")).isEqualTo("/api/alive");
    assertThat(str(container, "startupProbe.httpGet.path")).isEqualTo("/api/alive");
    for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
      String port = str(container, probe + ".httpGet.port");
      assertThat(ports.get(port)).as(probe).isEqualTo(conf.getInt("rekko.admin.port"));
    }
  }

  @Test
  void portsAgreeWithTheSettingsAndTheServices() {
    assertThat(ports).containsEntry("resp", conf.getInt("rekko.proxy.port"))
        .containsEntry("http", conf.getInt("rekko.admin.port"))
        .containsEntry("cluster", conf.getInt("rekko.cluster.port"))
        .containsEntry("management", conf.getInt("rekko.cluster.management.port"));
    for (Doc service : manifests.all().stream().filter(d -> d.kind().equals("Service")).toList()) {
      assertThat(labels()).as(service.name()).containsAllEntriesOf(mapAt(service.body(), "spec.selector"));
      for (Map<String, Object> p : listAt(service.body(), "spec.ports")) {
        assertThat(ports).as(service.name() + " targetPort").containsKey(str(p, "targetPort"));
      }
    }
    Map<String, Object> headless = manifests.named("Service", str(statefulSet, "spec.serviceName")).body();
    assertThat(str(headless, "spec.clusterIP")).isEqualTo("None");
    assertThat(at(headless, "spec.publishNotReadyAddresses")).isEqualTo(true);
    assertThat(listAt(headless, "spec.ports").stream().map(p -> str(p, "targetPort")))
        .contains("cluster", "management");
    Map<String, Object> clients = manifests.all().stream()
        .filter(d -> d.kind().equals("Service") && d.body() != headless).findFirst().orElseThrow().body();
    assertThat(listAt(clients, "spec.ports").stream().map(p -> str(p, "targetPort"))).containsExactly("resp");
  }

  @Test
  void configMapBootstrapsThroughTheKubernetesApi() throws Exception {
    assertThat(conf.getString("rekko.cluster.bootstrap")).isEqualTo("management");
    assertThat(conf.getString("rekko.cluster.discovery.method")).isEqualTo("kubernetes-api");
    assertThat(conf.getInt("rekko.cluster.discovery.required-contact-points"))
        .isBetween(2, integer(statefulSet, "spec.replicas"));
    assertThat(conf.hasPath("rekko.cluster.seed-nodes")).isFalse();
    // the node accepts the file, with a pod's environment
    java.nio.file.Path copy = Files.writeString(Files.createTempFile(Distribution.tmp(), "configmap", ".conf"),
        (String) mapAt(manifests.one("ConfigMap").body(), "data").get("rekko.conf"));
    NodeConfig node = NodeConfig.load(java.util.Optional.of(copy), Map.of(), Map.of("REKKO_CLUSTER_HOST", "10.1.2.3",
        "REKKO_PROXY_HOST", "10.1.2.3", "REKKO_ADMIN_HOST", "10.1.2.3", "REKKO_ADMIN_TOKEN", "t",
        "REKKO_PROXY_PASSWORD", "p", "REKKO_DATA_DIR", "/var/lib/rekko"));
    assertThat(node.cluster().host()).isEqualTo("10.1.2.3");
    // discovery lists the pods the StatefulSet labels, by the selector the node hands to Pekko
    String selector = String.format(node.config().getString("pekko.discovery.kubernetes-api.pod-label-selector"),
        conf.getString("rekko.cluster.discovery.service-name"));
    String[] kv = selector.split("=");
    assertThat(labels()).containsEntry(kv[0], kv[1]);
    assertThat(node.bootstrapGroups()).hasSize(2);
    // what differs per pod comes from the environment, which the file would hide
    assertThat(conf.hasPath("rekko.cluster.host") || conf.hasPath("rekko.proxy.host")
        || conf.hasPath("rekko.admin.host") || conf.hasPath("rekko.data-dir")).isFalse();
    // the settings file is the ConfigMap, mounted where --config points
    List<?> args = (List<?>) at(container, "args");
    String file = (String) args.get(args.indexOf("--config") + 1);
    String configVolume = volumeWith("configMap.name", manifests.one("ConfigMap").name());
    assertThat(file).isEqualTo(mountPath(configVolume) + "/rekko.conf");
  }

  @Test
  void nodeAddressesComeFromThePodAndDataFromItsClaim() {
    Map<String, Object> env = new HashMap<>();
    List<String> order = listAt(container, "env").stream().map(e -> str(e, "name")).toList();
    listAt(container, "env").forEach(e -> env.put(str(e, "name"), e.containsKey("value") ? e.get("value") : e.get("valueFrom")));
    assertThat(str(map(env.get("POD_IP")), "fieldRef.fieldPath")).isEqualTo("status.podIP");
    for (String host : List.of("REKKO_CLUSTER_HOST", "REKKO_PROXY_HOST", "REKKO_ADMIN_HOST")) {
      assertThat(env.get(host)).as(host).isEqualTo("$(POD_IP)");
      // $(VAR) expands only variables defined earlier in the list
      assertThat(order.indexOf("POD_IP")).isLessThan(order.indexOf(host));
    }
    String claim = str(listAt(statefulSet, "spec.volumeClaimTemplates").get(0), "metadata.name");
    assertThat(mountPath(claim)).isEqualTo(env.get("REKKO_DATA_DIR"));
    // the Secret the README tells the operator to create has every key the pods read
    String readme = readme();
    for (Object v : env.values()) {
      if (v instanceof Map<?, ?> from && from.containsKey("secretKeyRef")) {
        String key = str(map(from), "secretKeyRef.key");
        assertThat(readme).as("README creates secret key " + key).contains("--from-literal=" + key + "=");
      }
    }
  }

  @Test
  void disruptionBudgetKeepsAMajority() {
    Map<String, Object> pdb = manifests.one("PodDisruptionBudget").body();
    int replicas = integer(statefulSet, "spec.replicas");
    Map<String, Object> spec = mapAt(pdb, "spec");
    int available = spec.containsKey("minAvailable")
        ? integer(pdb, "spec.minAvailable") : replicas - integer(pdb, "spec.maxUnavailable");
    assertThat(available).isGreaterThan(replicas / 2);
    assertThat(labels()).containsAllEntriesOf(mapAt(pdb, "spec.selector.matchLabels"));
  }

  @Test
  void podsMayListPodsAndNothingMore() {
    String account = str(pod, "serviceAccountName");
    assertThat(manifests.one("ServiceAccount").name()).isEqualTo(account);
    Map<String, Object> binding = manifests.one("RoleBinding").body();
    assertThat(listAt(binding, "subjects")).anySatisfy(s ->
        assertThat(s).containsEntry("kind", "ServiceAccount").containsEntry("name", account));
    assertThat(str(binding, "roleRef.kind")).isEqualTo("Role");
    Doc role = manifests.named("Role", str(binding, "roleRef.name"));
    List<Map<String, Object>> rules = listAt(role.body(), "rules");
    assertThat(rules).hasSize(1);
    assertThat(strings(rules.get(0).get("resources"))).containsExactly("pods");
    assertThat(strings(rules.get(0).get("verbs"))).contains("list").doesNotContain("create", "delete", "update", "patch");
  }

  private static List<String> strings(Object list) {
    return ((List<?>) list).stream().map(String::valueOf).toList();
  }

  private static Map<String, Object> labels() {
    return mapAt(statefulSet, "spec.template.metadata.labels");
  }

  private static String volumeWith(String path, String value) {
    return listAt(pod, "volumes").stream().filter(v -> {
      try {
        return value.equals(str(v, path));
      } catch (AssertionError e) {
        return false;
      }
    }).map(v -> str(v, "name")).findFirst().orElseThrow();
  }

  private static String mountPath(String volume) {
    return listAt(container, "volumeMounts").stream().filter(m -> volume.equals(m.get("name")))
        .map(m -> str(m, "mountPath")).findFirst().orElseThrow(() -> new AssertionError("no mount of " + volume));
  }

  private static String readme() {
    try {
      return Files.readString(Distribution.file("kubernetes/README.md"));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
