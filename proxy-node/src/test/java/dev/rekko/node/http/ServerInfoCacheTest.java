package dev.rekko.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.backend.BackendOptions;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.Topology;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** {@code /api/servers}' source: INFO from each server of the topology, an error for one that is not there. */
class ServerInfoCacheTest {
  @Test
  void aLiveServerTellsItsNumbersAndADeadOneItsError() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort();
    }
    try (RedisServer redis = RedisServer.builder().start(); Jedis j = new Jedis(redis.host(), redis.port())) {
      j.set("a", "1");
      j.set("b", "2");
      j.select(1);
      j.set("c", "3");
      String dead = "127.0.0.1:" + deadPort;
      TreeMap<Integer, GroupInfo> groups = new TreeMap<>();
      groups.put(1, new GroupInfo(1, List.of(ServerInfo.master(redis.address()), ServerInfo.replica(dead)), false, 1));
      Topology topology = new Topology(1, groups, Topology.offlineSlots(), new TreeMap<>(), true, true);
      ServerInfoCache cache = new ServerInfoCache(() -> topology, BackendOptions.defaults());

      var first = cache.servers();
      List<ServerInfoCache.ServerView> servers = first.toCompletableFuture().get(10, TimeUnit.SECONDS);

      assertThat(servers).hasSize(2);
      ServerInfoCache.ServerView live = servers.get(0);
      assertThat(live.addr()).isEqualTo(redis.address());
      assertThat(live.group()).isEqualTo(1);
      assertThat(live.role()).isEqualTo("MASTER");
      assertThat(live.error()).isNull();
      assertThat(live.keys()).isEqualTo(3);
      assertThat(live.usedMemory()).isPositive();
      assertThat(live.connectedClients()).isGreaterThanOrEqualTo(1);
      assertThat(live.opsPerSec()).isNotNull();
      ServerInfoCache.ServerView down = servers.get(1);
      assertThat(down.role()).isEqualTo("REPLICA");
      assertThat(down.error()).contains(dead);
      assertThat(down.keys()).isNull();
      // Asked again at once: the same answer, not a new round of INFO.
      assertThat(cache.servers()).isSameAs(first);
    }
  }

  @Test
  void keysAddUpOverTheDatabases() {
    assertThat(ServerInfoCache.keys(Map.of("db0", "keys=3,expires=0,avg_ttl=0", "db5", "keys=4,expires=1,avg_ttl=9",
        "used_memory", "100"))).isEqualTo(7);
  }
}
