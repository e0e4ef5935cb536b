package dev.rekko.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rekko.node.config.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

/** What the tarball holds, and that its configuration files are sound as shipped. */
class DistributionLayoutTest {
  private static final List<String> FILES = List.of(
      "README", "bin/rekko-node", "bin/rekko-admin", "lib/rekko-node.jar", "conf/rekko.conf", "conf/rekko.env",
      "conf/logback.xml", "systemd/rekko-node.service", "systemd/rekko.sysusers", "docker/Dockerfile",
      "kubernetes/README.md", "kubernetes/kustomization.yaml", "kubernetes/statefulset.yaml",
      "kubernetes/services.yaml", "kubernetes/configmap.yaml", "kubernetes/rbac.yaml", "kubernetes/pdb.yaml");

  @Test
  void holdsTheScriptsTheJarAndTheConfigurations() throws Exception {
    Path home = Distribution.home();
    assertThat(home.getFileName().toString()).isEqualTo("rekko-" + Distribution.version());
    for (String f : FILES) {
      assertThat(home.resolve(f)).as(f).isRegularFile();
    }
    for (String script : List.of("bin/rekko-node", "bin/rekko-admin")) {
      assertThat(Files.getPosixFilePermissions(home.resolve(script))).as(script)
          .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
      assertThat(Files.readString(home.resolve(script))).startsWith("#!/bin/sh");
    }
    try (JarFile jar = new JarFile(home.resolve("lib/rekko-node.jar").toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("dev.rekko.node.Main");
      assertThat(jar.getManifest().getMainAttributes().getValue("Add-Opens")).contains("java.base/java.nio");
    }
  }

  /** The file beats the REKKO_* variables: as shipped it must set nothing, or the environment would not count. */
  @Test
  void shippedSettingsFileSetsNothing() throws Exception {
    Config conf = ConfigFactory.parseFile(Distribution.file("conf/rekko.conf").toFile());
    assertThat(conf.root()).isEmpty();
    // ... and its example, uncommented, is a valid settings tree
    List<String> lines = Files.readAllLines(Distribution.file("conf/rekko.conf"));
    String example = lines.subList(lines.indexOf("# rekko {"), lines.size()).stream()
        .map(l -> l.startsWith("# ") ? l.substring(2) : l.replaceFirst("^#$", ""))
        .reduce("", (a, b) -> a + b + "\n");
    Config uncommented = ConfigFactory.parseString(example);
    assertThat(uncommented.getStringList("rekko.cluster.seed-nodes")).hasSize(3);
    assertThat(uncommented.getInt("rekko.proxy.port")).isEqualTo(19000);
    assertThat(uncommented.getString("rekko.data-dir")).isEqualTo("/var/lib/rekko");
    // the node accepts it (the cluster host the environment gives each node)
    Path file = Files.writeString(Files.createTempFile(Distribution.tmp(), "example", ".conf"), example);
    NodeConfig config = NodeConfig.load(Optional.of(file), Map.of(), Map.of("REKKO_CLUSTER_HOST", "10.0.0.11"));
    assertThat(config.cluster().host()).isEqualTo("10.0.0.11");
    assertThat(config.bootstrapGroups()).hasSize(2);
  }

  @Test
  void logbackConfigurationIsWellFormed() throws Exception {
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(Distribution.file("conf/logback.xml").toFile());
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("configuration");
    // The two appenders rekko.log.format switches between by name (the node reconfigures logback with them).
    var appenders = doc.getElementsByTagName("appender");
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < appenders.getLength(); i++) {
      names.add(((org.w3c.dom.Element) appenders.item(i)).getAttribute("name"));
    }
    assertThat(names).containsExactlyInAnyOrder("text", "json");
    var root = (org.w3c.dom.Element) doc.getElementsByTagName("root").item(0);
    var ref = (org.w3c.dom.Element) root.getElementsByTagName("appender-ref").item(0);
    assertThat(ref.getAttribute("ref")).isEqualTo("${rekko.log.format:-${REKKO_LOG_FORMAT:-text}}");
    // The other appender is referenced by a logger that is off, or logback warns and prints its whole
    // start-up report on every start.
    var loggers = doc.getElementsByTagName("logger");
    boolean parked = false;
    for (int i = 0; i < loggers.getLength(); i++) {
      var logger = (org.w3c.dom.Element) loggers.item(i);
      var refs = logger.getElementsByTagName("appender-ref");
      parked |= logger.getAttribute("level").equals("OFF") && refs.getLength() == 2;
    }
    assertThat(parked).as("a logger that is off references both appenders").isTrue();
  }

  @Test
  void filteredFilesNameTheVersion() throws Exception {
    assertThat(Files.readString(Distribution.file("kubernetes/kustomization.yaml")))
        .contains("newTag: \"" + Distribution.version() + "\"").doesNotContain("${");
    assertThat(Files.readString(Distribution.file("README")))
        .contains("rekko-" + Distribution.version() + ".tar.gz").doesNotContain("${");
  }

  @Test
  void dockerfileBuildsFromTheDistribution() throws Exception {
    List<String> lines = dockerInstructions(Files.readString(Distribution.file("docker/Dockerfile")));
    assertThat(lines).anyMatch(l -> l.matches("FROM eclipse-temurin:17-jre.*"));
    assertThat(lines).contains("COPY bin/ /opt/rekko/bin/", "COPY lib/ /opt/rekko/lib/", "COPY conf/ /opt/rekko/conf/");
    String user = lines.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
    assertThat(user.substring(5).split(":")[0]).isNotIn("root", "0");
    assertThat(lines).anyMatch(l -> l.startsWith("EXPOSE ")
        && List.of(l.substring(7).split(" ")).containsAll(List.of("19000", "11080", "2551", "8558")));
    assertThat(lines).anyMatch(l -> l.startsWith("VOLUME ") && l.contains("/var/lib/rekko"));
    assertThat(lines).anyMatch(l -> l.startsWith("ENV ") && l.contains("REKKO_DATA_DIR=/var/lib/rekko"));
    assertThat(lines).anyMatch(l -> l.startsWith("HEALTHCHECK ") && l.contains("/api/alive"));
    assertThat(lines).contains("ENTRYPOINT [\"/opt/rekko/bin/rekko-node\"]", "STOPSIGNAL SIGTERM");
    // every COPY source is in the distribution, which is the build context
    for (String copy : lines.stream().filter(l -> l.startsWith("COPY ")).toList()) {
      assertThat(Distribution.file(copy.split(" ")[1])).as(copy).exists();
    }
  }

  /** Instructions with their continuation lines joined, comments dropped, whitespace collapsed. */
  static List<String> dockerInstructions(String dockerfile) {
    String joined = dockerfile.lines().filter(l -> !l.trim().startsWith("#"))
        .reduce("", (a, b) -> a.endsWith("\\") ? a.substring(0, a.length() - 1) + " " + b.trim() : a + "\n" + b);
    return Stream.of(joined.split("\n")).map(l -> l.trim().replaceAll("\\s+", " ")).filter(l -> !l.isEmpty()).toList();
  }
}
