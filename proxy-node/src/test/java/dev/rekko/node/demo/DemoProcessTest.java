package dev.rekko.node.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.node.CliException;
import dev.rekko.node.Demo;
import dev.rekko.node.config.GroupSeed;
import dev.rekko.node.config.NodeConfig;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Demo nodes as child JVMs ({@link NodeProcess}) running today's {@code node} command: they end with
 * their stdin or their handle, and a node that ends early fails the demo with its output.
 */
class DemoProcessTest {
  // Generous: two cores shared with other builds; a JVM with Pekko may take long to start.
  private static final Duration DEADLINE = Duration.ofSeconds(120);

  @TempDir
  Path dir;

  private final List<NodeProcess> started = new ArrayList<>();

  @AfterEach
  void stopChildren() {
    started.forEach(NodeProcess::close);
  }

  private static int freePort() throws IOException {
    return dev.rekko.node.FreePorts.port();
  }

  /** A lone node on free ports; with the cluster wired in, it forms a cluster of its own. */
  private NodeSpec spec(Map<String, String> extra) throws IOException {
    int cluster = freePort();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("rekko.proxy.port", Integer.toString(freePort()));
    settings.put("rekko.admin.port", Integer.toString(freePort()));
    settings.put("rekko.cluster.port", Integer.toString(cluster));
    settings.put("rekko.cluster.seed-nodes", "[\"127.0.0.1:" + cluster + "\"]");
    settings.put("rekko.cluster.form-new-cluster", "on");
    settings.put("rekko.data-dir", dir.resolve("node-0").toString());
    settings.put("rekko.dispatcher.parallelism", "1");
    settings.putAll(extra);
    return new NodeSpec(0, Optional.empty(), settings, dir.resolve("node-0.log"));
  }

  private NodeProcess start(NodeSpec spec) throws IOException {
    NodeProcess node = NodeProcess.start(spec);
    started.add(node);
    return node;
  }

  /** Waits for the line the node command prints once its listeners are bound. */
  private static void awaitServing(NodeProcess node) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!Files.readString(node.spec().logFile()).contains("Rekko node serving RESP")) {
      assertThat(node.exitCode()).as("node exited early; its output:\n%s", node.logTail()).isEmpty();
      assertThat(System.nanoTime() - deadline).as("node not serving; its output:\n%s", node.logTail()).isNegative();
      Thread.sleep(200);
    }
  }

  private static int awaitExit(NodeProcess node) throws Exception {
    return node.handle().onExit().thenApply(h -> node.exitCode().orElse(-1))
        .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void theCommandLineRunsThisClasspathWithTheNodeSettings() throws IOException {
    Path conf = dir.resolve("my.conf");
    NodeSpec spec = new NodeSpec(2, Optional.of(conf), Map.of("rekko.proxy.port", "19002"), dir.resolve("node-2.log"));
    List<String> cmd = NodeProcess.command(spec);
    assertThat(Path.of(cmd.get(0))).isAbsolute().isExecutable();
    assertThat(cmd.subList(1, 6)).containsExactly("-Xmx256m", "-XX:+UseParallelGC", "-XX:+ExitOnOutOfMemoryError",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
    int cp = cmd.indexOf("-cp");
    assertThat(cmd.get(cp + 1).split(File.pathSeparator)).allSatisfy(e -> assertThat(Path.of(e)).isAbsolute());
    assertThat(cmd.subList(cp + 2, cmd.size())).containsExactly("dev.rekko.node.Main", "node",
        "--exit-on-stdin-close", "--config", conf.toString(), "-D", "rekko.proxy.port=19002");
  }

  @Test
  void aNodeStopsCleanlyWhenItsStdinCloses() throws Exception {
    NodeProcess node = start(spec(Map.of()));
    awaitServing(node);
    int resp = Integer.parseInt(node.spec().settings().get("rekko.proxy.port"));
    assertThat(accepts(resp)).isTrue();

    // What the operating system does to the pipe when the demo dies, even by SIGKILL.
    node.requestStop();
    assertThat(awaitExit(node)).as("exit code (0 = stopped through System.exit, not a signal)").isZero();
    assertThat(Files.readString(node.spec().logFile())).contains("standard input closed");
    assertThat(accepts(resp)).isFalse();
  }

  @Test
  void aNodeStopsWhenItsHandleIsDestroyed() throws Exception {
    NodeProcess node = start(spec(Map.of()));
    awaitServing(node);
    int resp = Integer.parseInt(node.spec().settings().get("rekko.proxy.port"));

    node.handle().destroy();
    // SIGTERM: the JVM runs its shutdown hooks and reports 128 + 15.
    assertThat(awaitExit(node)).isEqualTo(143);
    assertThat(accepts(resp)).isFalse();
  }

  @Test
  void aNodeStoppedBySigtermLeavesTheClusterRatherThanBeingDowned() throws Exception {
    NodeProcess first = start(spec(Map.of()));
    awaitServing(first);
    int secondCluster = freePort();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("rekko.proxy.port", Integer.toString(freePort()));
    settings.put("rekko.admin.port", Integer.toString(freePort()));
    settings.put("rekko.cluster.port", Integer.toString(secondCluster));
    settings.put("rekko.cluster.seed-nodes", first.spec().settings().get("rekko.cluster.seed-nodes"));
    settings.put("rekko.data-dir", dir.resolve("node-1").toString());
    settings.put("rekko.dispatcher.parallelism", "1");
    NodeProcess second = start(new NodeSpec(1, Optional.empty(), settings, dir.resolve("node-1.log")));
    awaitServing(second);
    // The first node's view of the members, from its HTTP API: both UP (Pekko's INFO lines are not
    // logged with the test classpath's logging settings).
    String nodes = "http://127.0.0.1:" + first.spec().settings().get("rekko.admin.port") + "/api/nodes";
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (upCount(nodes) < 2) {
      assertThat(System.nanoTime() - deadline).as("second node not up; first's output:\n%s", first.logTail())
          .isNegative();
      Thread.sleep(200);
    }

    // SIGTERM runs the node's shutdown hook: it must still reach the others while it leaves. (Pekko's
    // own JVM hook used to shut the remote transport down at once, and the node got downed instead.)
    second.handle().destroy();
    assertThat(awaitExit(second)).isEqualTo(143);
    while (upCount(nodes) > 1) {
      assertThat(System.nanoTime() - deadline).as("second node still listed").isNegative();
      Thread.sleep(200);
    }
    assertThat(Files.readString(first.spec().logFile())).doesNotContain("UNREACHABLE");
  }

  private static int upCount(String url) {
    try {
      String body = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      return body.split("\"state\":\"UP\"", -1).length - 1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  @Test
  void aNodeThatExitsEarlyFailsTheWaitWithItsExitCodeAndOutput() throws Exception {
    NodeProcess node = start(spec(Map.of("rekko.proxy.port", "99999")));
    ClusterReadiness readiness = new ClusterReadiness(List.of(new ClusterReadiness.Endpoint(0, "127.0.0.1",
        freePort(), "127.0.0.1", freePort(), "")), List.of(node));
    assertThatThrownBy(() -> readiness.await(DEADLINE))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith("node 0 exited with code 1 before the demo was ready; the end of its output:\n")
        .hasMessageContaining("rekko.proxy.port: 99999 is out of range");
  }

  @Test
  void aDemoWhoseNodeCannotStartStopsItsRedisAndKeepsTheLogs() throws Exception {
    List<NodeSpec> specs = new ArrayList<>();
    DemoNode.Starter recording = spec -> {
      specs.add(spec);
      return start(spec);
    };
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Demo.Options options = new Demo.Options(1, 1, 0, taken.getLocalPort(), freePort(), freePort(),
          Optional.empty(), Map.of("rekko.dispatcher.parallelism", "1"), DEADLINE);
      assertThatThrownBy(() -> Demo.start(options, recording))
          .isInstanceOf(CliException.class)
          .hasMessageStartingWith("node 0 exited with code 1 before the demo was ready")
          .hasMessageContaining("node failed to start")
          .hasMessageContaining("The nodes' logs are kept in ");
    }
    NodeSpec spec = specs.get(0);
    assertThat(spec.logFile()).isNotEmptyFile();
    assertThat(Path.of(spec.settings().get("rekko.data-dir"))).doesNotExist();
    NodeConfig config = NodeConfig.of(spec.settings());
    for (GroupSeed group : config.bootstrapGroups()) {
      String[] hostPort = group.master().split(":");
      assertThatThrownBy(() -> new Socket(hostPort[0], Integer.parseInt(hostPort[1])).close())
          .isInstanceOf(IOException.class);
    }
    deleteRecursively(spec.logFile().getParent());
  }

  private static void deleteRecursively(Path path) throws IOException {
    try (var paths = Files.walk(path)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
