package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.RekkoNode;
import dev.rekko.protocol.Errors;
import dev.rekko.redis.launcher.RedisServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Two nodes in front of the same two groups: what is published through one reaches the subscribers of
 * the other, for channels, patterns and shard channels living on either group; the counts the PUBSUB
 * subcommands report; and the backend connections that carry it all are the nodes' few shared ones.
 */
@SuppressWarnings("unchecked")
class PubSubNodesTest {
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).perClass();
  private static RekkoNode a;
  private static RekkoNode b;

  @BeforeAll
  static void start() throws Exception {
    a = fx.node();
    b = fx.startNode(Map.of());
  }

  @Test
  void publishedThroughOneNodeReceivedThroughTheOther() throws Exception {
    RespSocket sub = fx.socket(a);
    RespSocket pub = fx.socket(b);
    assertThat(sub.call("SUBSCRIBE", "x:news")).isEqualTo(List.of("subscribe", "x:news", 1L));
    assertThat(sub.call("PSUBSCRIBE", "x:n*")).isEqualTo(List.of("psubscribe", "x:n*", 2L));
    // One subscriber connection of node A holds the channel and the pattern: Redis counts two receivers.
    assertThat(pub.call("PUBLISH", "x:news", "hello")).isEqualTo(2L);
    assertThat(sub.read()).isEqualTo(List.of("message", "x:news", "hello"));
    assertThat(sub.read()).isEqualTo(List.of("pmessage", "x:n*", "x:news", "hello"));
    assertThat(pub.call("PUBLISH", "x:nope", "p")).isEqualTo(1L);
    assertThat(sub.read()).isEqualTo(List.of("pmessage", "x:n*", "x:nope", "p"));

    // And back: a subscriber on B, a publisher on A.
    RespSocket subB = fx.socket(b);
    assertThat(subB.call("SUBSCRIBE", "x:news")).isEqualTo(List.of("subscribe", "x:news", 1L));
    assertThat(fx.socket(a).call("PUBLISH", "x:news", "both")).isEqualTo(3L);
    assertThat(subB.read()).isEqualTo(List.of("message", "x:news", "both"));
    assertThat(sub.read()).isEqualTo(List.of("message", "x:news", "both"));
    assertThat(sub.read()).isEqualTo(List.of("pmessage", "x:n*", "x:news", "both"));
  }

  @Test
  void shardChannelsLiveOnTheirSlotsGroups() throws Exception {
    String one = fx.keyInGroup("sh:", 1);
    String two = fx.keyInGroup("sh:", 2);
    RespSocket sub = fx.socket(a);
    RespSocket pub = fx.socket(b);
    assertThat(sub.call("SSUBSCRIBE", one, two)).isEqualTo(new RespSocket.Err(Errors.CROSSSLOT));
    assertThat(sub.call("SSUBSCRIBE", one)).isEqualTo(List.of("ssubscribe", one, 1L));
    assertThat(sub.call("SSUBSCRIBE", two)).isEqualTo(List.of("ssubscribe", two, 2L));
    assertThat(pub.call("SPUBLISH", one, "m1")).isEqualTo(1L);
    assertThat(pub.call("SPUBLISH", two, "m2")).isEqualTo(1L);
    // From two masters over two connections: no order between them (none between shards in Redis Cluster either).
    assertThat(List.of(sub.read(), sub.read()))
        .containsExactlyInAnyOrder(List.of("smessage", one, "m1"), List.of("smessage", two, "m2"));
    // Each lives on its own group's master, held there by node A's one connection to that master.
    for (int g = 1; g <= 2; g++) {
      String ch = g == 1 ? one : two;
      try (Jedis direct = fx.direct(fx.master(g))) {
        List<?> held = (List<?>) direct.sendCommand(() -> "PUBSUB".getBytes(), "SHARDCHANNELS");
        assertThat(held.stream().map(o -> new String((byte[]) o))).contains(ch);
        assertThat(hubConnections(fx.master(g))).filteredOn(l -> l.contains(" ssub=1 ")).hasSize(1);
      }
    }
    assertThat((List<Object>) pub.call("PUBSUB", "SHARDCHANNELS", "sh:*")).containsExactlyInAnyOrder(one, two);
    RespSocket second = fx.socket(a);
    assertThat(second.call("SSUBSCRIBE", one)).isEqualTo(List.of("ssubscribe", one, 1L));
    // Node A counts its own two sessions; node B sees node A's one connection.
    assertThat(fx.socket(a).call("PUBSUB", "SHARDNUMSUB", one, two, "none")).isEqualTo(List.of(one, 2L, two, 1L, "none", 0L));
    assertThat(pub.call("PUBSUB", "SHARDNUMSUB", one, two)).isEqualTo(List.of(one, 1L, two, 1L));
    assertThat(sub.call("SUNSUBSCRIBE", one, two)).isEqualTo(new RespSocket.Err(Errors.CROSSSLOT));
    assertThat(sub.call("SUNSUBSCRIBE", two)).isEqualTo(List.of("sunsubscribe", two, 1L));
    assertThat(ProxyFixture.await(java.time.Duration.ofSeconds(10),
        () -> call(pub, "SPUBLISH", two, "gone").equals(0L))).isTrue();
  }

  @Test
  void channelCountsReplaceTheNodesOwnConnectionByItsSessions() throws Exception {
    RespSocket s1 = fx.socket(a);
    RespSocket s2 = fx.socket(a);
    RespSocket s3 = fx.socket(b);
    for (RespSocket s : List.of(s1, s2, s3)) {
      assertThat(s.call("SUBSCRIBE", "cnt:c")).isEqualTo(List.of("subscribe", "cnt:c", 1L));
    }
    assertThat(s1.call("PSUBSCRIBE", "cnt:*")).isEqualTo(List.of("psubscribe", "cnt:*", 2L));
    assertThat(s2.call("PSUBSCRIBE", "cnt:*")).isEqualTo(List.of("psubscribe", "cnt:*", 2L));
    RespSocket q = fx.socket(a);
    assertThat(q.call("PUBSUB", "NUMSUB", "cnt:c", "cnt:none")).isEqualTo(List.of("cnt:c", 3L, "cnt:none", 0L));
    assertThat(fx.socket(b).call("PUBSUB", "NUMSUB", "cnt:c")).isEqualTo(List.of("cnt:c", 2L));
    // Distinct patterns of all nodes: what the global server itself counts (other tests' patterns too).
    try (Jedis global = fx.direct(fx.master(1))) {
      assertThat(q.call("PUBSUB", "NUMPAT")).isEqualTo(global.pubsubNumPat()).isNotEqualTo(0L);
    }
    assertThat((List<Object>) q.call("PUBSUB", "CHANNELS", "cnt:*")).containsExactly("cnt:c");
    // The backend: one subscriber connection per node on the global server, whatever the sessions.
    assertThat(hubConnections(fx.master(1))).hasSize(2);
    assertThat(hubConnections(fx.master(2))).hasSizeLessThanOrEqualTo(1);
  }

  private static List<String> hubConnections(RedisServer server) {
    return PubSubNodesTestSupport.hubConnections(fx, server);
  }

  private static Object call(RespSocket s, String... args) {
    try {
      return s.call(args);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
