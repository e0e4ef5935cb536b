package dev.rekko.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rekko.deploy.example.RekkoNodes;
import dev.rekko.node.FreePorts;
import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;

/**
 * Three nodes started from the unpacked tarball with bin/rekko-node, as an operator would, over two local
 * Redis servers (seed-nodes bootstrap): they form one cluster, serve through every node, rekko-admin and
 * the client discovery example see them, and SIGTERM makes a node leave the cluster gracefully. The
 * tests run in order on one cluster; the last one stops a node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PackagedClusterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration READY = Duration.ofMinutes(3);

  private final List<RedisServer> redis = new ArrayList<>();
  private final List<DistNode> nodes = new ArrayList<>();
  private Path home;
  private Path node2Config;

  @BeforeAll
  void startCluster() throws Exception {
    home = Distribution.home();
    for (int i = 0; i < 2; i++) {
      redis.add(RedisServer.builder().port(FreePorts.port()).start());
    }
    String groups = "1=" + redis.get(0).address() + ";2=" + redis.get(1).address();
    int[][] ports = new int[3][3];
    for (int[] p : ports) {
      for (int j = 0; j < 3; j++) {
        p[j] = FreePorts.port();
      }
    }
    String seeds = String.join(",", IntStream.range(0, 3).mapToObj(i -> "127.0.0.1:" + ports[i][2]).toList());
    Path dir = Files.createTempDirectory(Distribution.tmp(), "packaged-cluster");
    for (int i = 0; i < 3; i++) {
      Map<String, String> env = new HashMap<>(Map.of(
          "REKKO_HEAP", "256m",
          // C1 only: less compiling on a small shared machine
          "REKKO_JAVA_OPTS", "-XX:TieredStopAtLevel=1",
          "REKKO_ADMIN_PORT", Integer.toString(ports[i][1]),
          "REKKO_CLUSTER_PORT", Integer.toString(ports[i][2]),
          "REKKO_CLUSTER_SEED_NODES", seeds,
          "REKKO_BOOTSTRAP_GROUPS", groups,
          "REKKO_DATA_DIR", dir.resolve("node-" + i + "/data").toString(),
          "REKKO_DISPATCHER_PARALLELISM", "2"));
      List<String> args = new ArrayList<>();
      switch (i) {
        case 0 -> {
          env.put("REKKO_PROXY_PORT", Integer.toString(ports[i][0]));
          args.add("--new-cluster");
        }
        // a -D argument, passed through to the node command
        case 1 -> args.addAll(List.of("-D", "rekko.proxy.port=" + ports[i][0]));
        // a settings file of its own instead of conf/rekko.conf
        default -> {
          node2Config = Files.writeString(dir.resolve("node-2.conf"), "rekko.proxy.port = " + ports[i][0] + "\n");
          args.addAll(List.of("--config", node2Config.toString()));
        }
      }
      nodes.add(DistNode.start(home, dir.resolve("node-" + i), ports[i][0], ports[i][1], ports[i][2], env, args));
    }
    for (DistNode node : nodes) {
      await(READY, () -> node.get("/api/ready").status() == 200,
          () -> node + " is not ready: " + node.get("/api/ready").body() + "\n" + node.tail());
    }
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (DistNode node : nodes) {
      node.terminate();
    }
    for (DistNode node : nodes) {
      node.close();
    }
    redis.forEach(RedisServer::close);
  }

  @Test
  @Order(1)
  void nodesFormOneClusterOfThree() throws Exception {
    for (DistNode node : nodes) {
      await(Duration.ofSeconds(60), () -> upNodes(node).size() == 3,
          () -> node + " lists " + node.get("/api/nodes").body());
      assertThat(upNodes(node)).containsExactlyInAnyOrderElementsOf(
          nodes.stream().map(n -> "127.0.0.1:" + n.resp).toList());
    }
  }

  @Test
  @Order(2)
  void startScriptAppliesTheJvmOptionsAndTheSettingsFile() {
    String conf = home.resolve("conf/rekko.conf").toString();
    for (DistNode node : nodes) {
      List<String> args = List.of(node.handle().info().arguments().orElseThrow());
      assertThat(node.handle().info().command().orElseThrow()).endsWith("/java");
      assertThat(args).contains("-Xms256m", "-Xmx256m", "-XX:+UseParallelGC", "-XX:+ExitOnOutOfMemoryError",
          "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=" + home.resolve("conf/logback.xml"),
          "-jar", home.resolve("lib/rekko-node.jar").toString(), "node");
      assertThat(args.indexOf("-jar")).isGreaterThan(args.indexOf("-XX:TieredStopAtLevel=1"));
    }
    assertThat(List.of(nodes.get(0).handle().info().arguments().orElseThrow())).contains("--config", conf);
    assertThat(List.of(nodes.get(2).handle().info().arguments().orElseThrow()))
        .contains("--config", node2Config.toString()).doesNotContain(conf);
  }

  @Test
  @Order(3)
  void everyNodeServesEveryKey() {
    for (int i = 0; i < 3; i++) {
      try (Jedis writer = new Jedis("127.0.0.1", nodes.get(i).resp);
          Jedis reader = new Jedis("127.0.0.1", nodes.get((i + 1) % 3).resp)) {
        for (int k = 0; k < 20; k++) {
          assertThat(writer.set("packaged:" + i + ":" + k, "v" + k)).isEqualTo("OK");
        }
        for (int k = 0; k < 20; k++) {
          assertThat(reader.get("packaged:" + i + ":" + k)).isEqualTo("v" + k);
        }
      }
    }
  }

  @Test
  @Order(4)
  void discoveryExampleSpreadsOverTheNodes() throws Exception {
    try (RekkoNodes rekko = RekkoNodes.discover("127.0.0.1:" + nodes.get(1).admin, null)) {
      assertThat(rekko.size()).isEqualTo(3);
      for (int k = 0; k < 9; k++) {
        assertThat(rekko.next().set("discovered:" + k, Integer.toString(k))).isEqualTo("OK");
      }
      for (int k = 0; k < 9; k++) {
        assertThat(rekko.next().get("discovered:" + k)).isEqualTo(Integer.toString(k));
      }
    }
  }

  @Test
  @Order(5)
  void rekkoAdminListsTheNodes() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/rekko-admin").toString(),
        "--addr", "127.0.0.1:" + nodes.get(0).admin, "nodes").redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().keySet().removeIf(k -> k.startsWith("REKKO_"));
    Process admin = pb.start();
    String out = new String(admin.getInputStream().readAllBytes());
    assertThat(admin.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(admin.exitValue()).as(out).isZero();
    for (DistNode node : nodes) {
      assertThat(out).contains("127.0.0.1:" + node.resp, "127.0.0.1:" + node.admin);
    }
    assertThat(out.lines().filter(l -> l.contains(" UP "))).hasSize(3);
  }

  @Test
  @Order(6)
  void sigtermMakesANodeLeaveGracefully() throws Exception {
    DistNode leaving = nodes.get(2);
    String address = "pekko://rekko@127.0.0.1:" + leaving.cluster;
    leaving.terminate();
    OptionalInt code = leaving.awaitExit(Duration.ofSeconds(90));
    assertThat(code).as("exit after SIGTERM\n" + leaving.tail()).isPresent();
    // the JVM's exit code after SIGTERM is 128 + 15
    assertThat(code.getAsInt()).as(leaving.tail()).isIn(0, 143);
    for (DistNode node : nodes.subList(0, 2)) {
      await(Duration.ofSeconds(60), () -> upNodes(node).size() == 2 && !node.get("/api/nodes").body().contains(address),
          () -> node + " still lists " + node.get("/api/nodes").body());
      try (Jedis jedis = new Jedis("127.0.0.1", node.resp)) {
        assertThat(jedis.get("packaged:0:1")).isEqualTo("v1");
      }
    }
    // It left (Leaving, Exiting, Removed) because of the signal: the others never saw it unreachable, so
    // nobody downed it.
    assertThat(leaving.logText()).doesNotContain("downed this node", "standard input closed")
        .contains("Marked address [" + address + "] as [Leaving]", "Exiting completed");
    for (DistNode node : nodes.subList(0, 2)) {
      assertThat(node.logText().lines().filter(l -> l.contains(address)
          && (l.contains("UNREACHABLE") || l.contains("SBR")))).as(node.log.toString()).isEmpty();
    }
  }

  /** The RESP addresses of the nodes this node lists as UP. */
  private static List<String> upNodes(DistNode node) {
    DistNode.Response r = node.get("/api/nodes");
    if (r.status() != 200) {
      return List.of();
    }
    try {
      List<String> up = new ArrayList<>();
      for (JsonNode n : JSON.readTree(r.body())) {
        if (n.path("state").asText().equals("UP")) {
          up.add(n.path("resp").asText());
        }
      }
      return up;
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Polls {@code condition} until it holds, failing with {@code why} after {@code timeout}. */
  private static void await(Duration timeout, BooleanSupplier condition, Supplier<String> why) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + why.get());
      }
      Thread.sleep(250);
    }
  }
}
