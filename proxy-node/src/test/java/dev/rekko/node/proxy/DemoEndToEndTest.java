package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.rekko.node.Demo;
import dev.rekko.node.NodeLauncher;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** The demo with the real data path, as {@code rekko-node.jar demo} runs it, in-process. */
class DemoEndToEndTest {

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void demoServesThroughTheRealDataPath() {
    // The launcher the `node` and `demo` commands find is the data path itself.
    assertThat(ServiceLoader.load(NodeLauncher.class).findFirst()).get().isInstanceOf(DataPathLauncher.class);
    assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
      Demo.Options options = new Demo.Options(1, 2, 1, freePort(), freePort(), Optional.empty(),
          Map.of("rekko.dispatcher.parallelism", "2"), Duration.ofSeconds(30));
      List<RedisServer> servers;
      try (Demo demo = Demo.start(options, new DataPathLauncher())) {
        servers = demo.redisGroups().stream().flatMap(List::stream).toList();
        assertThat(demo.readyLine()).startsWith("READY resp=127.0.0.1:" + options.basePort() + " ");
        NodeConfig config = demo.nodeConfigs().get(0);
        try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", config.proxy().port()),
            DefaultJedisClientConfig.builder().autoNegotiateProtocol(false).timeoutMillis(10_000).build())) {
          for (int i = 0; i < 100; i++) {
            assertThat(j.set("demo:" + i, "v" + i)).isEqualTo("OK");
          }
          for (int i = 0; i < 100; i++) {
            assertThat(j.get("demo:" + i)).isEqualTo("v" + i);
          }
          assertThat(j.dbSize()).isEqualTo(100L);
        }
        // Both groups' masters got a share of the keys.
        for (List<RedisServer> group : demo.redisGroups()) {
          try (var c = group.get(0).client()) {
            assertThat((Long) c.ok("DBSIZE")).isPositive();
          }
        }
      }
      assertThat(servers).hasSize(4).noneMatch(RedisServer::isRunning);
    });
  }
}
