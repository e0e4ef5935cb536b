package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.rekko.node.Demo;
import dev.rekko.node.FreePorts;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.demo.ClusterReadiness;
import dev.rekko.node.demo.NodeProcess;
import dev.rekko.redis.launcher.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * The demo as {@code rekko-node.jar demo} runs it: three node JVMs that form one cluster over two
 * Redis groups, with the real data path: the nodes join through node 0's cluster port, the coordinator
 * seeds the 1024 slots from {@code rekko.bootstrap.groups}, and READY comes from every node's
 * {@code GET /api/topology}.
 */
class DemoEndToEndTest {

  private static Jedis jedis(NodeConfig node) {
    return new Jedis(new HostAndPort("127.0.0.1", node.proxy().port()),
        DefaultJedisClientConfig.builder().autoNegotiateProtocol(false).timeoutMillis(10_000).build());
  }

  @Test
  void threeNodesServeOneKeyspaceAndStopWithTheDemo() {
    assertTimeoutPreemptively(Duration.ofMinutes(6), () -> {
      Demo.Options options = new Demo.Options(3, 2, 1, FreePorts.base(3), FreePorts.base(3), FreePorts.base(3),
          Optional.empty(),
          Map.of("rekko.dispatcher.parallelism", "1"), Duration.ofMinutes(4));
      List<RedisServer> servers;
      List<ProcessHandle> processes;
      Path dir;
      try (Demo demo = Demo.start(options, NodeProcess::start)) {
        dir = demo.dir();
        servers = demo.redisGroups().stream().flatMap(List::stream).toList();
        processes = demo.nodes().stream().map(n -> ((NodeProcess) n).handle()).toList();
        assertThat(demo.readyLine()).startsWith("READY resp=127.0.0.1:" + options.basePort()
            + ",127.0.0.1:" + (options.basePort() + 1) + ",127.0.0.1:" + (options.basePort() + 2) + " ");
        List<NodeConfig> nodes = demo.nodeConfigs();

        try (Jedis first = jedis(nodes.get(0))) {
          for (int i = 0; i < 100; i++) {
            assertThat(first.set("demo:" + i, "v" + i)).isEqualTo("OK");
          }
        }
        // Every node routes by the same topology: what one wrote, the others read.
        for (NodeConfig node : nodes.subList(1, 3)) {
          try (Jedis other = jedis(node)) {
            for (int i = 0; i < 100; i++) {
              assertThat(other.get("demo:" + i)).isEqualTo("v" + i);
            }
            assertThat(other.dbSize()).isEqualTo(100L);
          }
        }
        for (List<RedisServer> group : demo.redisGroups()) {
          try (var c = group.get(0).client()) {
            assertThat((Long) c.ok("DBSIZE")).isPositive();
          }
        }
        List<ClusterReadiness.Endpoint> endpoints = nodes.stream().map(c -> new ClusterReadiness.Endpoint(
            nodes.indexOf(c), "127.0.0.1", c.admin().port(), "127.0.0.1", c.proxy().port(), "")).toList();
        // Ready as at the start. Awaited, since topology writes after READY (the coordinator learning the
        // servers' Redis versions: group 1 at epoch 2, then group 2 at epoch 3) leave the nodes at different
        // epochs for a moment; and decided by one round, the one that found nothing missing. (Polling once
        // more after such a round, as this test did, could land between the two writes: one node already
        // at 3, another still at 2, and the test failed although every node converged.)
        new ClusterReadiness(endpoints, demo.nodes()).await(Duration.ofSeconds(30));
        assertThat(demo.nodes()).allSatisfy(n -> assertThat(n.exitCode()).isEmpty());
      }
      assertThat(processes).hasSize(3).noneMatch(ProcessHandle::isAlive);
      assertThat(servers).hasSize(4).noneMatch(RedisServer::isRunning);
      assertThat(dir).doesNotExist();
    });
  }
}
