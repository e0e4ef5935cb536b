package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.backend.BackendPool;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * A server that stops being a group's master (replaced, or its group's servers changed) has its
 * connections closed by every node, instead of living on, reconnecting and pinging for the node's life.
 */
class RetiredServerTest {
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).perClass();

  private static Set<String> pooled() {
    return fx.node().context().pool().status().stream().map(BackendPool.Status::server).collect(Collectors.toSet());
  }

  @Test
  void connectionsOfAServerThatLeftTheTopologyAreClosed() throws Exception {
    String key = fx.keyInGroup("retired", 2);
    RedisServer old = fx.master(2);
    try (Jedis j = fx.jedis()) {
      j.set(key, "v");
    }
    assertThat(pooled()).contains(old.address(), fx.master(1).address());
    String oldSeries = "rekko_backend_duration_seconds_count{server=\"" + old.address() + "\"}";
    assertThat(metrics()).contains(oldSeries);

    RedisServer replacement = fx.track(RedisServer.builder().start());
    fx.awaitVersionsLearned();
    GroupInfo group = fx.node().topology().group(2).orElseThrow();
    long epoch = fx.node().topology().epoch() + 1;
    fx.node().cluster().writer()
        .putGroup(group.withServers(List.of(ServerInfo.master(replacement.address())), epoch))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (pooled().contains(old.address()) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(pooled()).doesNotContain(old.address()).contains(fx.master(1).address());
    try (Jedis direct = fx.direct(old)) {
      // Only this check's own connection is left on the old master.
      assertThat(direct.clientList().lines().count()).isEqualTo(1);
    }
    try (Jedis j = fx.jedis()) {
      assertThat(j.get(key)).as("the group's new master is empty").isNull();
    }
    assertThat(pooled()).contains(replacement.address());
    assertThat(metrics()).as("its latency series is dropped too").doesNotContain(oldSeries)
        .contains("rekko_backend_duration_seconds_count{server=\"" + fx.master(1).address() + "\"}");
  }

  private static String metrics() throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + fx.node().httpPort() + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
  }
}
