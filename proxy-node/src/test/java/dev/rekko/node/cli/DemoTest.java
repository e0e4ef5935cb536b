package dev.rekko.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.node.Demo;
import dev.rekko.node.NodeLauncher;
import dev.rekko.node.config.GroupSeed;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.LocalRedisClient.RedisError;
import dev.rekko.redis.launcher.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The demo against real redis-server processes, with a stand-in node that answers every command +PONG. */
class DemoTest {

  /** Binds the node's RESP port and answers +PONG; records the configs it was started with. */
  static final class PongLauncher implements NodeLauncher {
    final List<NodeConfig> configs = new CopyOnWriteArrayList<>();
    final List<ServerSocket> sockets = new CopyOnWriteArrayList<>();

    @Override
    public AutoCloseable start(NodeConfig config) throws IOException {
      configs.add(config);
      ServerSocket socket = new ServerSocket(config.proxy().port(), 50, InetAddress.getLoopbackAddress());
      sockets.add(socket);
      Thread t = new Thread(() -> {
        while (!socket.isClosed()) {
          try (Socket s = socket.accept()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
              for (int i = 0; i < 2 * Integer.parseInt(line.substring(1)); i++) {
                in.readLine();
              }
              out.write("+PONG\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
            }
          } catch (IOException e) {
            // closed
          }
        }
      }, "pong-node");
      t.setDaemon(true);
      t.start();
      return socket::close;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static Demo.Options options(int groups, int replicas, Map<String, String> overrides) throws IOException {
    return new Demo.Options(1, groups, replicas, freePort(), freePort(), Optional.empty(), overrides,
        Duration.ofSeconds(20));
  }

  private static String role(RedisServer server) throws IOException {
    try (LocalRedisClient c = server.client()) {
      return (String) ((List<?>) c.ok("ROLE")).get(0);
    }
  }

  @Test
  void startsGroupsAndTheNodeThenStopsEverything() throws Exception {
    PongLauncher launcher = new PongLauncher();
    Demo.Options options = options(2, 1, Map.of());
    List<RedisServer> all;
    try (Demo demo = Demo.start(options, launcher)) {
      List<List<RedisServer>> groups = demo.redisGroups();
      assertThat(groups).hasSize(2).allSatisfy(g -> assertThat(g).hasSize(2));
      all = groups.stream().flatMap(List::stream).toList();
      assertThat(all).allMatch(RedisServer::isRunning);
      for (List<RedisServer> g : groups) {
        assertThat(role(g.get(0))).isEqualTo("master");
        assertThat(role(g.get(1))).isEqualTo("slave");
      }

      NodeConfig config = launcher.configs.get(0);
      assertThat(demo.nodeConfigs()).containsExactly(config);
      assertThat(config.proxy().port()).isEqualTo(options.basePort());
      assertThat(config.admin().port()).isEqualTo(options.adminBasePort());
      assertThat(config.bootstrapGroups()).containsExactly(
          new GroupSeed(1, List.of(groups.get(0).get(0).address(), groups.get(0).get(1).address())),
          new GroupSeed(2, List.of(groups.get(1).get(0).address(), groups.get(1).get(1).address())));
      assertThat(config.bootstrapSlots()).containsOnly(1, 2);
      assertThat(config.dataDir().getFileName().toString()).isEqualTo("node-0");

      assertThat(demo.readyLine()).isEqualTo("READY resp=127.0.0.1:" + options.basePort()
          + " http=127.0.0.1:" + options.adminBasePort()
          + " redis=" + GroupSeed.format(config.bootstrapGroups()));
    }
    assertThat(launcher.sockets).allMatch(ServerSocket::isClosed);
    assertThat(all).noneMatch(RedisServer::isRunning);
    assertThat(launcher.configs.get(0).dataDir()).doesNotExist();
  }

  @Test
  void redisDemandsTheConfiguredBackendPassword() throws Exception {
    PongLauncher launcher = new PongLauncher();
    try (Demo demo = Demo.start(options(1, 1, Map.of("rekko.backend.password", "s3cret")), launcher)) {
      RedisServer master = demo.redisGroups().get(0).get(0);
      try (LocalRedisClient anonymous = new LocalRedisClient(master.host(), master.port(), 5_000)) {
        assertThat(anonymous.call("PING")).isInstanceOf(RedisError.class);
        assertThat(anonymous.call("AUTH", "s3cret")).isEqualTo("OK");
      }
      assertThat(role(demo.redisGroups().get(0).get(1))).isEqualTo("slave");
      assertThat(launcher.configs.get(0).backend().password()).isEqualTo("s3cret");
    }
  }

  @Test
  void aNodeThatFailsToStartLeavesNoRedisBehind() throws Exception {
    List<NodeConfig> seen = new CopyOnWriteArrayList<>();
    NodeLauncher failing = config -> {
      seen.add(config);
      throw new IOException("cannot bind");
    };
    assertThatThrownBy(() -> Demo.start(options(2, 0, Map.of()), failing)).hasMessage("cannot bind");
    for (GroupSeed g : seen.get(0).bootstrapGroups()) {
      String[] hostPort = g.master().split(":");
      assertThatThrownBy(() -> new Socket(hostPort[0], Integer.parseInt(hostPort[1])).close())
          .isInstanceOf(IOException.class);
    }
    assertThat(Files.exists(seen.get(0).dataDir().getParent())).isFalse();
  }

  @Test
  void aNodeThatNeverServesTimesOut() throws Exception {
    NodeLauncher silent = config -> () -> { };
    Demo.Options o = options(1, 0, Map.of());
    Demo.Options quick = new Demo.Options(1, 1, 0, o.basePort(), o.adminBasePort(), Optional.empty(), Map.of(),
        Duration.ofMillis(500));
    assertThatThrownBy(() -> Demo.start(quick, silent))
        .hasMessageStartingWith("the node on 127.0.0.1:" + o.basePort() + " did not answer PING");
  }
}
