package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.stats.StatsSnapshot;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Jedis and Lettuce connect through the node with what they send on connect (Lettuce: HELLO 3, which
 * switches the session to RESP3; CLIENT SETNAME/SETINFO; SELECT) and then just work, in RESP3 as in RESP2.
 */
class ClientLibrariesTest {
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).perClass();

  private static StatsSnapshot.CommandSnapshot stat(String name) {
    return fx.node().stats().snapshot().commands().stream()
        .filter(c -> c.name().equals(name)).findFirst()
        .orElse(new StatsSnapshot.CommandSnapshot(name, 0, 0, 0, 0, 0, 0, 0, 0));
  }

  @Test
  void lettuceNegotiatesResp3AndKeepsItsNameAndDatabase() {
    StatsSnapshot.CommandSnapshot helloBefore = stat("HELLO");
    RedisClient client = fx.lettuce(fx.node(), b -> b.withClientName("lettuce-app").withDatabase(3));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> sync = c.sync();
      assertThat(sync.ping()).isEqualTo("PONG");
      assertThat(sync.clientGetname()).isEqualTo("lettuce-app");
      assertThat(sync.clientInfo()).contains("name=lettuce-app", "db=3", "lib-name=Lettuce", "resp=3");
      assertThat(sync.set("lettuce:k", "v1")).isEqualTo("OK");
      assertThat(sync.get("lettuce:k")).isEqualTo("v1");
      assertThat(sync.mget("lettuce:k", "lettuce:none").stream().map(kv -> kv.getValueOrElse(null)).toList())
          .containsExactly("v1", null);
      // Types RESP3 has and RESP2 has not: a map, a set, a double.
      sync.hset("lettuce:h", java.util.Map.of("a", "1", "b", "2"));
      assertThat(sync.hgetall("lettuce:h")).isEqualTo(java.util.Map.of("a", "1", "b", "2"));
      sync.sadd("lettuce:s", "x", "y");
      assertThat(sync.smembers("lettuce:s")).containsExactlyInAnyOrder("x", "y");
      sync.zadd("lettuce:z", 1.5, "m");
      assertThat(sync.zscore("lettuce:z", "m")).isEqualTo(1.5);
      assertThat(sync.zscore("lettuce:z", "none")).isNull();
      assertThat(sync.dbsize()).isEqualTo(4L);
      assertThat(sync.info("keyspace")).contains("db3:keys=4");
    }
    // It asked for RESP3 once and got it: no HELLO failed.
    StatsSnapshot.CommandSnapshot helloAfter = stat("HELLO");
    assertThat(helloAfter.calls() - helloBefore.calls()).isPositive();
    assertThat(helloAfter.fails() - helloBefore.fails()).isZero();
    Jedis owner = fx.direct(fx.masterOf("lettuce:k"));
    owner.select(3);
    assertThat(owner.get("lettuce:k")).isEqualTo("v1");
  }

  @Test
  void lettuceAsyncPipelineOverBothGroups() throws Exception {
    RedisClient client = fx.lettuce(fx.node(), b -> { });
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisAsyncCommands<String, String> async = c.async();
      c.setAutoFlushCommands(false);
      List<String> keys = IntStream.range(0, 3_000).mapToObj(i -> "lasync:" + i).toList();
      assertThat(keys.stream().map(fx::groupOf).collect(Collectors.toSet())).containsExactlyInAnyOrder(1, 2);
      List<RedisFuture<String>> sets = new ArrayList<>();
      List<RedisFuture<String>> gets = new ArrayList<>();
      List<RedisFuture<Long>> incrs = new ArrayList<>();
      for (String k : keys) {
        sets.add(async.set(k, "val-" + k));
        gets.add(async.get(k));
        incrs.add(async.incr(k + ":n"));
      }
      c.flushCommands();
      List<RedisFuture<?>> all = new ArrayList<>(sets);
      all.addAll(gets);
      all.addAll(incrs);
      assertThat(LettuceFutures.awaitAll(Duration.ofSeconds(30), all.toArray(RedisFuture[]::new))).isTrue();
      for (int i = 0; i < keys.size(); i++) {
        assertThat(sets.get(i).get()).isEqualTo("OK");
        assertThat(gets.get(i).get()).isEqualTo("val-" + keys.get(i));
        assertThat(incrs.get(i).get()).isEqualTo(1L);
      }
    }
  }

  @Test
  void jedisSpeakingResp3() {
    Jedis j = fx.jedis(fx.node(), b -> b.protocol(redis.clients.jedis.RedisProtocol.RESP3).database(5));
    assertThat(j.clientInfo()).contains("resp=3", "db=5");
    assertThat(j.set("jedis3:k", "v")).isEqualTo("OK");
    assertThat(j.get("jedis3:none")).isNull();
    j.hset("jedis3:h", java.util.Map.of("a", "1"));
    assertThat(j.hgetAll("jedis3:h")).isEqualTo(java.util.Map.of("a", "1"));
    j.sadd("jedis3:s", "x", "y");
    assertThat(j.smembers("jedis3:s")).containsExactlyInAnyOrder("x", "y");
    j.zadd("jedis3:z", 2.5, "m");
    assertThat(j.zscore("jedis3:z", "m")).isEqualTo(2.5);
    assertThat(j.mget("jedis3:k", "jedis3:none", "jedis3:h2")).containsExactly("v", null, null);
    assertThat(j.dbSize()).isEqualTo(4L);
    assertThat(j.clientGetname()).isNull();
  }

  @Test
  void jedisWithClientNameAndDatabase() {
    Jedis j = fx.jedis(fx.node(), b -> b.clientName("jedis-app").database(4));
    assertThat(j.ping()).isEqualTo("PONG");
    assertThat(j.clientGetname()).isEqualTo("jedis-app");
    assertThat(j.clientInfo()).contains("name=jedis-app", "db=4", "lib-name=jedis");
    assertThat(j.set("jedis:k", "v")).isEqualTo("OK");
    Jedis owner = fx.direct(fx.masterOf("jedis:k"));
    owner.select(4);
    assertThat(owner.get("jedis:k")).isEqualTo("v");
    assertThat(j.clientId()).isPositive();
    assertThat(j.dbSize()).isEqualTo(1L);
  }
}
