package dev.rekko.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import dev.rekko.redis.backend.BackendOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {

  @Test
  void defaultsLoad() {
    NodeConfig c = NodeConfig.of(Map.of());
    assertThat(c.proxy()).isEqualTo(new ProxySettings(
        "127.0.0.1", 19000, "", 10000, 10000, Duration.ofMinutes(30), true));
    assertThat(c.backend()).isEqualTo(new BackendSettings(new BackendOptions("", "", 2, Duration.ofSeconds(3),
        Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(5)), 16, 1000));
    assertThat(c.admin()).isEqualTo(new AdminSettings("127.0.0.1", 11080, ""));
    assertThat(c.admin().tokenRequired()).isFalse();
    assertThat(c.bootstrapGroups()).isEmpty();
    assertThat(c.redisBinary()).isEmpty();
    assertThat(c.dataDir()).isEqualTo(Path.of("data"));
    assertThat(c.dispatcherParallelism()).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void clientIoThreadsAreHalfTheCoresUnlessSet() {
    assertThat(NodeConfig.of(Map.of()).proxy().ioThreads())
        .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    assertThat(NodeConfig.of(Map.of("rekko.proxy.io-threads", "3")).proxy().ioThreads()).isEqualTo(3);
    assertThatThrownBy(() -> NodeConfig.of(Map.of("rekko.proxy.io-threads", "-1")))
        .isInstanceOf(NodeConfigException.class).hasMessageContaining("rekko.proxy.io-threads");
  }

  @Test
  void dispatcherRecipeIsInThePekkoConfig() {
    Config c = NodeConfig.of(Map.of("rekko.dispatcher.parallelism", "3")).config();
    assertThat(c.getInt("pekko.actor.default-dispatcher.fork-join-executor.parallelism-min")).isEqualTo(3);
    assertThat(c.getInt("pekko.actor.default-dispatcher.fork-join-executor.parallelism-max")).isEqualTo(3);
    assertThat(c.getString("pekko.io.tcp.worker-dispatcher")).isEqualTo("pekko.actor.default-dispatcher");
    assertThat(c.getInt("pekko.stream.materializer.io.tcp.coalesce-writes")).isZero();
    assertThat(c.getStringList("pekko.loggers")).containsExactly("org.apache.pekko.event.slf4j.Slf4jLogger");
    assertThat(c.getString("pekko.actor.provider")).isEqualTo("cluster");
    // Pekko's own defaults are there too: the Config is complete for ActorSystem.create.
    assertThat(c.getString("pekko.cluster.sharding.guardian-name")).isEqualTo("sharding");
  }

  @Test
  void clusterSettingsBecomePekkoSettings() {
    NodeConfig n = NodeConfig.of(Map.of(
        "rekko.cluster.host", "10.0.0.5", "rekko.cluster.port", "2600",
        "rekko.cluster.seed-nodes", "10.0.0.5:2600, 10.0.0.6:2600",
        "rekko.cluster.stable-after", "12s", "rekko.data-dir", "/var/lib/rekko"));
    Config c = n.config();
    assertThat(c.getString("pekko.remote.artery.canonical.hostname")).isEqualTo("10.0.0.5");
    assertThat(c.getInt("pekko.remote.artery.canonical.port")).isEqualTo(2600);
    assertThat(n.cluster().seedAddresses())
        .containsExactly("pekko://rekko@10.0.0.5:2600", "pekko://rekko@10.0.0.6:2600");
    // The node joins by itself (ClusterFormation): Pekko's automatic join, whose first seed node forms a
    // new cluster when it cannot reach the others, stays off.
    assertThat(c.getStringList("pekko.cluster.seed-nodes")).isEmpty();
    assertThat(n.cluster().formNewCluster()).isEqualTo(ClusterSettings.FormNewCluster.OFF);
    assertThat(c.getString("pekko.cluster.downing-provider-class")).contains("SplitBrainResolverProvider");
    assertThat(c.getString("pekko.cluster.split-brain-resolver.active-strategy")).isEqualTo("keep-majority");
    assertThat(c.getDuration("pekko.cluster.split-brain-resolver.stable-after")).hasSeconds(12);
    assertThat(c.getString("pekko.cluster.distributed-data.durable.lmdb.dir"))
        .isEqualTo("/var/lib/rekko/distributed-data");
    assertThat(c.getString("pekko.cluster.sharding.distributed-data.durable.lmdb.dir"))
        .isEqualTo("/var/lib/rekko/sharding");
    assertThat(n.cluster().fenceAfter()).hasSeconds(4);
    assertThat(n.cluster().onDowned()).isEqualTo(ClusterSettings.OnDowned.EXIT);
  }

  @Test
  void overridesTakeStringsAndHocon() {
    NodeConfig c = NodeConfig.of(Map.of(
        "rekko.proxy.port", "19005",
        "rekko.proxy.password", "p#ss \"word\"",
        "rekko.proxy.tcp-keepalive", "off",
        "rekko.proxy.idle-timeout", "0",
        "rekko.backend.receive-timeout", "750ms",
        "rekko.backend.max-blocking-connections", "7",
        "rekko.bootstrap.groups", "[{id = 2, servers = [\"h2:7000\"]}, {id = 1, servers = [\"h1:7000\", \"h1:7001\"]}]"));
    assertThat(c.proxy().port()).isEqualTo(19005);
    assertThat(c.proxy().password()).isEqualTo("p#ss \"word\"");
    assertThat(c.proxy().tcpKeepAlive()).isFalse();
    assertThat(c.proxy().idleTimeout()).isZero();
    assertThat(c.backend().connections().receiveTimeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(c.backend().maxBlockingConnections()).isEqualTo(7);
    assertThat(c.bootstrapGroups()).containsExactly(
        new GroupSeed(1, List.of("h1:7000", "h1:7001")), new GroupSeed(2, List.of("h2:7000")));
    assertThat(c.bootstrapGroups().get(0).master()).isEqualTo("h1:7000");
  }

  @Test
  void environmentVariablesOverrideDefaultsButNotOverrides() {
    Map<String, String> env = Map.of(
        "REKKO_PROXY_PORT", "19100",
        "REKKO_ADMIN_TOKEN", "secret",
        "REKKO_BACKEND_DATABASES", "4",
        "REKKO_BOOTSTRAP_GROUPS", "1=127.0.0.1:6379,127.0.0.1:6380; 2=127.0.0.1:6381",
        "REKKO_DISPATCHER_PARALLELISM", "2",
        "HOME", "/home/someone");
    NodeConfig c = NodeConfig.load(Optional.empty(), Map.of("rekko.backend.databases", "8"), env);
    assertThat(c.proxy().port()).isEqualTo(19100);
    assertThat(c.admin().api().token()).isEqualTo("secret");
    assertThat(c.admin().tokenRequired()).isTrue();
    assertThat(c.backend().databases()).isEqualTo(8);
    assertThat(c.dispatcherParallelism()).isEqualTo(2);
    assertThat(c.bootstrapGroups()).containsExactly(
        new GroupSeed(1, List.of("127.0.0.1:6379", "127.0.0.1:6380")), new GroupSeed(2, List.of("127.0.0.1:6381")));
    // The variables resolve substitutions but do not end up in the config itself.
    assertThat(c.config().hasPath("HOME")).isFalse();
    assertThat(c.config().hasPath("REKKO_PROXY_PORT")).isFalse();
  }

  @Test
  void fileSettingsBeatTheEnvironmentAndMayUseIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("node.conf");
    Files.writeString(file, """
        rekko {
          proxy.port = 19200
          admin { port = 11200, token = ${?MY_TOKEN} }
          bootstrap.groups = [
            { id = 1, servers = ["10.0.0.1:6379", "10.0.0.2:6379"] }
          ]
        }
        """);
    NodeConfig c = NodeConfig.load(Optional.of(file), Map.of(),
        Map.of("REKKO_PROXY_PORT", "19100", "MY_TOKEN", "t0k"));
    assertThat(c.proxy().port()).isEqualTo(19200);
    assertThat(c.admin().port()).isEqualTo(11200);
    assertThat(c.admin().api().token()).isEqualTo("t0k");
    assertThat(c.bootstrapGroups()).containsExactly(new GroupSeed(1, List.of("10.0.0.1:6379", "10.0.0.2:6379")));
    assertThat(c.bootstrapSlots()).containsOnly(1);
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) {
    Path missing = dir.resolve("nope.conf");
    assertThatThrownBy(() -> NodeConfig.load(Optional.of(missing), Map.of(), Map.of()))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageContaining("--config " + missing + ": no such file");
  }

  @Test
  void brokenFileSyntaxIsAConfigError(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.conf");
    Files.writeString(file, "rekko { proxy { port = 1 \n");
    assertThatThrownBy(() -> NodeConfig.load(Optional.of(file), Map.of(), Map.of()))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageContaining("bad.conf");
  }

  @Test
  void groupSeedFormatRoundTrips() {
    List<GroupSeed> groups = List.of(new GroupSeed(1, List.of("a:1", "b:2")), new GroupSeed(3, List.of("c:3")));
    assertThat(GroupSeed.format(groups)).isEqualTo("1=a:1,b:2;3=c:3");
    NodeConfig c = NodeConfig.of(Map.of("rekko.bootstrap.groups", GroupSeed.format(groups)));
    assertThat(c.bootstrapGroups()).isEqualTo(groups);
  }

  @Test
  void theNodesDatacenterForReplicaReads() {
    assertThat(NodeConfig.of(Map.of()).datacenter()).isEmpty();
    assertThat(NodeConfig.of(Map.of("rekko.node.datacenter", " dc-b ")).datacenter()).isEqualTo("dc-b");
    assertThat(NodeConfig.load(java.util.Optional.empty(), Map.of(), Map.of("REKKO_NODE_DATACENTER", "eu-1"))
        .datacenter()).isEqualTo("eu-1");
  }
}
