package dev.rekko.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.rekko.node.FreePorts;
import dev.rekko.node.RekkoNode;
import dev.rekko.node.config.ClusterTls;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.demo.NodeProcess;
import dev.rekko.node.demo.NodeSpec;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.redis.tls.Certificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import dev.rekko.topology.Topology;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

/**
 * {@code rekko.cluster.tls}: nodes with certificates of the cluster's CA form a cluster over mutual TLS
 * and serve; a process with a certificate of another CA, or without TLS, pointed at them is refused in
 * the handshake (the foreign certificate is logged on both sides) and never becomes a member, while a
 * node with a right certificate joins. The cluster runs in this JVM, the intruder with the foreign
 * certificate in a JVM of its own.
 */
class ClusterTlsTest {
  @TempDir
  Path dir;

  private final List<RekkoNode> nodes = new ArrayList<>();
  private final ListAppender<ILoggingEvent> tlsLog = new ListAppender<>();
  private final Logger tlsLogger = (Logger) LoggerFactory.getLogger("dev.rekko.node.tls");
  private Process intruder;
  private RekkoNode plain;
  private RedisServer redis;

  @AfterEach
  void stop() throws Exception {
    if (intruder != null) {
      intruder.destroyForcibly();
      intruder.waitFor(20, TimeUnit.SECONDS);
    }
    // All at once: a test's teardown need not hand the singletons over one by one.
    List<RekkoNode> all = new ArrayList<>(nodes);
    if (plain != null) {
      all.add(plain);
    }
    CompletableFuture.allOf(all.stream().map(n -> CompletableFuture.runAsync(n::close)).toArray(CompletableFuture[]::new))
        .get(120, TimeUnit.SECONDS);
    if (redis != null) {
      redis.close();
    }
    tlsLogger.detachAppender(tlsLog);
  }

  @Test
  void onlyNodesWithACertificateOfTheClusterCaAreAdmitted() throws Exception {
    tlsLog.start();
    tlsLogger.addAppender(tlsLog);
    Certificates ca = Certificates.newCa(dir.resolve("cluster-ca"), "rekko-cluster");
    Certificates.Issued foreign = Certificates.newCa(dir.resolve("other-ca"), "other-ca").issue("intruder");
    redis = RedisServer.builder().start();
    int seed = FreePorts.port();
    String bootstrap = "1=" + redis.address();

    // The intruder with a certificate of another CA (trusting the cluster's CA) takes longest to start: first.
    Path intruderLog = dir.resolve("intruder.log");
    int intruderPort = FreePorts.port();
    Map<String, String> s = settings("intruder", intruderPort, seed, bootstrap,
        ClusterTls.overrides(foreign.cert(), foreign.key(), ca.caFile()));
    intruder = new ProcessBuilder(NodeProcess.command(new NodeSpec(0, Optional.empty(), s, intruderLog)))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(intruderLog.toFile())).start();

    nodes.add(RekkoNode.start(NodeConfig.of(settings("node-0", seed, seed, bootstrap, tls(ca, "node-0")))));
    nodes.add(RekkoNode.start(NodeConfig.of(settings("node-1", FreePorts.port(), seed, bootstrap, tls(ca, "node-1")))));
    // A node without TLS at all, pointed at the cluster too.
    int plainPort = FreePorts.port();
    plain = RekkoNode.start(NodeConfig.of(settings("plain", plainPort, seed, bootstrap, Map.of())));
    ClusterFixture.await("both nodes serve and see each other", () -> nodes.stream()
        .allMatch(n -> n.serving() && n.topology().nodes().size() == 2));
    try (Jedis jedis = new Jedis("127.0.0.1", nodes.get(1).respPort())) {
      assertThat(jedis.set("tls:k", "v")).isEqualTo("OK");
      assertThat(jedis.get("tls:k")).isEqualTo("v");
    }
    ClusterFixture.awaitSettled(nodes);
    Topology before = nodes.get(0).topology();

    // The intruder keeps knocking; the cluster refuses it in the handshake, and both sides say so.
    try {
      ClusterFixture.await("the refusal is logged on both sides", () ->
          !refusals("CN=intruder").isEmpty() && text(intruderLog).contains("SSLHandshakeException"));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; refusals logged here: " + refusals("") + "; the intruder's log:\n"
          + text(intruderLog), e);
    }
    assertThat(refusals("CN=intruder").get(0)).contains("issued by CN=other-ca");

    // A node with a right certificate joins.
    nodes.add(RekkoNode.start(NodeConfig.of(settings("node-2", FreePorts.port(), seed, bootstrap, tls(ca, "node-2")))));
    ClusterFixture.await("the third node serves and every node sees three", () -> nodes.stream()
        .allMatch(n -> n.serving() && n.topology().nodes().size() == 3));

    for (RekkoNode n : nodes) {
      List<Integer> members = new ArrayList<>();
      Cluster.get(n.system()).state().getMembers().forEach(m -> members.add((Integer) m.address().port().get()));
      assertThat(members).hasSize(3).doesNotContain(intruderPort, plainPort);
      assertThat(n.topology().nodes().keySet()).hasSize(3)
          .noneMatch(a -> a.endsWith(":" + intruderPort) || a.endsWith(":" + plainPort));
      assertThat(n.topology().epoch()).isEqualTo(before.epoch());
      assertThat(n.topology().groups()).isEqualTo(before.groups());
      assertThat(n.topology().slots()).isEqualTo(before.slots());
    }
    assertThat(new ApiClient(nodes.get(0).httpPort(), "").get("/api/nodes").ok().findValuesAsText("address"))
        .hasSize(3).noneMatch(a -> a.endsWith(":" + intruderPort) || a.endsWith(":" + plainPort));
    // Both still wait outside, never Up, never serving.
    assertThat(intruder.isAlive()).isTrue();
    assertThat(text(intruderLog)).doesNotContain("is Up in the cluster");
    assertThat(plain.serving()).isFalse();
    assertThat(Cluster.get(plain.system()).selfMember().status()).isNotEqualTo(MemberStatus.up());
  }

  private Map<String, String> tls(Certificates ca, String name) throws Exception {
    Certificates.Issued cert = ca.issue(name);
    return ClusterTls.overrides(cert.cert(), cert.key(), ca.caFile());
  }

  private Map<String, String> settings(String name, int clusterPort, int seed, String bootstrap, Map<String, String> extra)
      throws IOException {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("rekko.proxy.port", Integer.toString(FreePorts.port()));
    s.put("rekko.admin.port", Integer.toString(FreePorts.port()));
    s.put("rekko.cluster.port", Integer.toString(clusterPort));
    s.put("rekko.cluster.seed-nodes", "127.0.0.1:" + seed);
    s.put("rekko.cluster.form-new-cluster", clusterPort == seed ? "on" : "off");
    s.put("rekko.bootstrap.groups", bootstrap);
    s.put("rekko.data-dir", dir.resolve(name).toString());
    s.put("rekko.dispatcher.parallelism", "2");
    s.putAll(extra);
    return s;
  }

  private List<String> refusals(String text) {
    synchronized (tlsLog) {
      return tlsLog.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
          .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(text)).toList();
    }
  }

  private static String text(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }
}
