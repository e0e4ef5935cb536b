package dev.rekko.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.node.CliException;
import dev.rekko.node.Demo;
import dev.rekko.node.FreePorts;
import dev.rekko.node.config.GroupSeed;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.demo.DemoNode;
import dev.rekko.node.demo.NodeSpec;
import dev.rekko.node.demo.StubNode;
import dev.rekko.node.demo.TopologyJson;
import dev.rekko.node.demo.TopologyStub.Answer;
import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.LocalRedisClient.RedisError;
import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The demo against real redis-server processes, with in-process stand-ins for the node JVMs
 * ({@link StubNode}: a RESP port answering PONG and a canned {@code /api/topology}).
 */
class DemoTest {

  private static int freePort() throws IOException {
    return dev.rekko.node.FreePorts.port();
  }

  private static Demo.Options options(int nodes, int groups, int replicas, Map<String, String> overrides,
      Duration readyTimeout) throws IOException {
    return new Demo.Options(nodes, groups, replicas, FreePorts.base(nodes), FreePorts.base(nodes),
        FreePorts.base(nodes), Optional.empty(), overrides, readyTimeout);
  }

  private static String role(RedisServer server) throws IOException {
    try (LocalRedisClient c = server.client()) {
      return (String) ((List<?>) c.ok("ROLE")).get(0);
    }
  }

  @Test
  void startsGroupsAndNodesThenStopsEverything() throws Exception {
    List<StubNode> nodes = new CopyOnWriteArrayList<>();
    Demo.Options o = options(3, 2, 1, Map.of("rekko.proxy.max-clients", "50"), Duration.ofSeconds(60));
    List<RedisServer> all;
    Path dir;
    try (Demo demo = Demo.start(o, StubNode.ready(nodes, 3))) {
      dir = demo.dir();
      List<List<RedisServer>> groups = demo.redisGroups();
      assertThat(groups).hasSize(2).allSatisfy(g -> assertThat(g).hasSize(2));
      all = groups.stream().flatMap(List::stream).toList();
      assertThat(all).allMatch(RedisServer::isRunning);
      for (List<RedisServer> g : groups) {
        assertThat(role(g.get(0))).isEqualTo("master");
        assertThat(role(g.get(1))).isEqualTo("slave");
      }

      assertThat(nodes).hasSize(3);
      List<GroupSeed> seeds = List.of(
          new GroupSeed(1, List.of(groups.get(0).get(0).address(), groups.get(0).get(1).address())),
          new GroupSeed(2, List.of(groups.get(1).get(0).address(), groups.get(1).get(1).address())));
      for (int i = 0; i < 3; i++) {
        NodeSpec spec = nodes.get(i).spec();
        assertThat(spec.index()).isEqualTo(i);
        assertThat(spec.logFile()).isEqualTo(dir.resolve("node-" + i + ".log"));
        assertThat(spec.settings()).containsEntry("rekko.proxy.max-clients", "50")
            .containsEntry("rekko.cluster.host", "127.0.0.1")
            .containsEntry("rekko.cluster.port", Integer.toString(o.clusterBasePort() + i))
            .containsEntry("rekko.cluster.seed-nodes", "[\"127.0.0.1:" + o.clusterBasePort() + "\"]")
            // Only node 0 forms the cluster; the others join it.
            .containsEntry("rekko.cluster.form-new-cluster", i == 0 ? "on" : "off");
        NodeConfig config = NodeConfig.of(spec.settings());
        assertThat(demo.nodeConfigs().get(i)).isEqualTo(NodeConfig.load(Optional.empty(), spec.settings()));
        assertThat(config.proxy().port()).isEqualTo(o.basePort() + i);
        assertThat(config.admin().port()).isEqualTo(o.adminBasePort() + i);
        assertThat(config.bootstrapGroups()).isEqualTo(seeds);
        assertThat(config.dataDir()).isEqualTo(dir.resolve("node-" + i));
      }

      String resp = "127.0.0.1:" + o.basePort() + ",127.0.0.1:" + (o.basePort() + 1) + ",127.0.0.1:" + (o.basePort() + 2);
      String http = "127.0.0.1:" + o.adminBasePort() + ",127.0.0.1:" + (o.adminBasePort() + 1)
          + ",127.0.0.1:" + (o.adminBasePort() + 2);
      assertThat(demo.readyLine()).isEqualTo("READY resp=" + resp + " http=" + http + " redis=" + GroupSeed.format(seeds));
    }
    assertThat(nodes).allMatch(StubNode::isClosed);
    assertThat(all).noneMatch(RedisServer::isRunning);
    assertThat(dir).doesNotExist();
  }

  @Test
  void redisDemandsTheConfiguredBackendPassword() throws Exception {
    List<StubNode> nodes = new CopyOnWriteArrayList<>();
    Demo.Options o = options(1, 1, 1, Map.of("rekko.backend.password", "s3cret"), Duration.ofSeconds(60));
    try (Demo demo = Demo.start(o, StubNode.ready(nodes, 1))) {
      RedisServer master = demo.redisGroups().get(0).get(0);
      try (LocalRedisClient anonymous = new LocalRedisClient(master.host(), master.port(), 5_000)) {
        assertThat(anonymous.call("PING")).isInstanceOf(RedisError.class);
        assertThat(anonymous.call("AUTH", "s3cret")).isEqualTo("OK");
      }
      assertThat(role(demo.redisGroups().get(0).get(1))).isEqualTo("slave");
      assertThat(nodes.get(0).spec().settings()).containsEntry("rekko.backend.password", "s3cret");
    }
  }

  @Test
  void aNodeThatFailsToStartLeavesNoRedisBehind() throws Exception {
    List<NodeSpec> seen = new CopyOnWriteArrayList<>();
    DemoNode.Starter failing = spec -> {
      seen.add(spec);
      throw new IOException("cannot fork");
    };
    assertThatThrownBy(() -> Demo.start(options(1, 2, 0, Map.of(), Duration.ofSeconds(60)), failing))
        .hasMessage("cannot fork");
    NodeConfig config = NodeConfig.of(seen.get(0).settings());
    for (GroupSeed g : config.bootstrapGroups()) {
      String[] hostPort = g.master().split(":");
      assertThatThrownBy(() -> new Socket(hostPort[0], Integer.parseInt(hostPort[1])).close())
          .isInstanceOf(IOException.class);
    }
    // No node wrote a log, so nothing is kept.
    assertThat(seen.get(0).logFile().getParent()).doesNotExist();
  }

  @Test
  void nodesThatNeverBecomeReadyTimeOutNamingWhatIsMissing() throws Exception {
    List<StubNode> nodes = new CopyOnWriteArrayList<>();
    // Node 0 answers as today's node does (no topology API yet), node 1 as one still loading.
    DemoNode.Starter starter = StubNode.starter(nodes, spec -> spec.index() == 0
        ? new Answer[] {new Answer(404, "{\"error\":\"no such resource: GET /api/topology\"}")}
        : new Answer[] {Answer.json(TopologyJson.notLoaded())});
    Demo.Options o = options(2, 1, 0, Map.of(), Duration.ofMillis(500));
    assertThatThrownBy(() -> Demo.start(o, starter))
        .isInstanceOf(CliException.class)
        .hasMessage("the demo's nodes were not ready within 500 ms:\n"
            + "  node 0 (http " + o.adminBasePort() + "): GET /api/topology answered 404\n"
            + "  node 1 (http " + (o.adminBasePort() + 1) + "): not loaded");
    assertThat(nodes).hasSize(2).allMatch(StubNode::isClosed);
  }

  @Test
  void settingsErrorsShowBeforeAnythingStarts() throws Exception {
    List<NodeSpec> seen = new CopyOnWriteArrayList<>();
    Demo.Options o = new Demo.Options(3, 1, 0, 65534, freePort(), freePort(), Optional.empty(), Map.of(),
        Duration.ofSeconds(60));
    assertThatThrownBy(() -> Demo.start(o, spec -> {
      seen.add(spec);
      throw new AssertionError("no node should start");
    })).hasMessageContaining("rekko.proxy.port: 65536 is out of range");
    assertThat(seen).isEmpty();
  }
}
