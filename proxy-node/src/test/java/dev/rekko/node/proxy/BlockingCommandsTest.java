package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.RekkoNode;
import dev.rekko.protocol.Errors;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The blocking commands through a node: the same commands against a plain redis-server and the node give
 * the same replies; a blocked client's pipelined commands wait for it; the budget; a client that leaves
 * frees its backend connection (Redis forgets the blocked client).
 */
class BlockingCommandsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).reference().perClass();

  private static RespSocket[] both() throws Exception {
    return new RespSocket[] {fx.socket(), fx.socket(fx.reference())};
  }

  private static Object same(RespSocket[] s, String... cmd) throws Exception {
    Object rekko = s[0].call(cmd);
    Object redis = s[1].call(cmd);
    assertThat(rekko).as(String.join(" ", cmd)).isEqualTo(redis);
    return rekko;
  }

  @Test
  void repliesAreRedissOwn() throws Exception {
    RespSocket[] s = both();
    String l = "{d}l";
    String d = "{d}dst";
    String z = "{d}z";
    String st = "{d}s";
    same(s, "DEL", l, d, z, st, "{d}l2");
    same(s, "RPUSH", l, "a", "b", "c", "d", "e");
    same(s, "BLPOP", l, "0");
    same(s, "BRPOP", "{d}l2", l, "1");
    same(s, "BLMOVE", l, d, "LEFT", "RIGHT", "0");
    same(s, "BRPOPLPUSH", l, d, "0.5");
    same(s, "BLMPOP", "0.1", "2", "{d}l2", d, "LEFT", "COUNT", "2");
    same(s, "BLPOP", "{d}l2", l, "0");
    assertThat(same(s, "BLPOP", l, "0.2")).isNull();
    assertThat(same(s, "BLMOVE", l, d, "LEFT", "RIGHT", "0.1")).isNull();
    assertThat(same(s, "BLMPOP", "0.1", "1", l, "LEFT")).isNull();
    same(s, "ZADD", z, "1", "a", "2", "b", "3", "c");
    same(s, "BZPOPMIN", z, "0");
    same(s, "BZPOPMAX", z, "0");
    same(s, "BZMPOP", "0", "1", z, "MIN");
    assertThat(same(s, "BZPOPMIN", z, "0.1")).isNull();
    assertThat(same(s, "BZMPOP", "0.1", "1", z, "MAX")).isNull();
    same(s, "XADD", st, "1-1", "f", "v");
    same(s, "XREAD", "BLOCK", "100", "STREAMS", st, "0");
    assertThat(same(s, "XREAD", "COUNT", "5", "BLOCK", "100", "STREAMS", st, "$")).isNull();
    same(s, "XGROUP", "CREATE", st, "g", "0");
    same(s, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "100", "STREAMS", st, ">");
    assertThat(same(s, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "100", "STREAMS", st, ">")).isNull();
    // Redis's own errors for timeouts Rekko does not read.
    same(s, "BLPOP", l, "soon");
    same(s, "BLPOP", l, "-1");
    same(s, "XREAD", "BLOCK", "-5", "STREAMS", st, "0");
    same(s, "BLMPOP", "0", "0", l, "LEFT");
    assertThat(s[0].call("BLPOP", "{a}x", "{b}y", "0")).isEqualTo(new RespSocket.Err(Errors.CROSSSLOT));
    assertThat(fx.node().context().blocking.inUse()).isZero();
  }

  @Test
  void aPushWakesTheBlockedClient() throws Exception {
    String k = fx.keyInGroup("wake", 2);
    try (Jedis g2 = fx.direct(fx.master(2)); Jedis pusher = fx.jedis()) {
      CompletableFuture<Object> blocked = TestThreads.supply(() -> fx.socket().call("BLPOP", k, "0"));
      awaitBlocked(g2, 1);
      assertThat(pusher.lpush(k, "v")).isEqualTo(1);
      assertThat(blocked.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(List.of(k, "v"));
      assertThat(pusher.llen(k)).isZero();
    }
  }

  @Test
  void pipelinedCommandsWaitForTheBlockedOne() throws Exception {
    RespSocket[] s = both();
    for (RespSocket x : s) {
      x.call("DEL", "{p}k");
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    RespSocket.appendCommand(buf, "BLPOP", "{p}k", "0.3");
    // Redis runs nothing more of a blocked client: this push must not wake the BLPOP before it.
    RespSocket.appendCommand(buf, "LPUSH", "{p}k", "x");
    RespSocket.appendCommand(buf, "PING");
    for (RespSocket x : s) {
      x.write(buf.toByteArray());
      assertThat(x.read()).isNull();
      assertThat(x.read()).isEqualTo(1L);
      assertThat(x.read()).isEqualTo("PONG");
      assertThat(x.call("LPOP", "{p}k")).isEqualTo("x");
    }
  }

  @Test
  void theBudgetRefusesOneMore() throws Exception {
    RekkoNode small = fx.startNode(Map.of("rekko.backend.max-blocking-connections", "2"));
    String k = fx.keyInGroup("budget", 1);
    try (Jedis g1 = fx.direct(fx.master(1)); Jedis pusher = fx.jedis(small)) {
      int before = blockedClients(g1);
      CompletableFuture<Object> one = TestThreads.supply(() -> fx.socket(small).call("BLPOP", k, "0"));
      CompletableFuture<Object> two = TestThreads.supply(() -> fx.socket(small).call("BLPOP", k, "0"));
      awaitBlocked(g1, before + 2);
      RespSocket third = fx.socket(small);
      assertThat(third.call("BLPOP", k, "0")).isEqualTo(new RespSocket.Err(
          "ERR too many blocked clients on this node (rekko.backend.max-blocking-connections = 2)"));
      pusher.rpush(k, "1");
      Object first = CompletableFuture.anyOf(one, two).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(first).isEqualTo(List.of(k, "1"));
      assertThat(ProxyFixture.await(WAIT, () -> small.context().blocking.inUse() == 1)).isTrue();
      CompletableFuture<Object> again = TestThreads.supply(() -> third.call("BLPOP", k, "0"));
      awaitBlocked(g1, before + 2);
      pusher.rpush(k, "2", "3");
      assertThat(one.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
      assertThat(two.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
      assertThat(again.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
      assertThat(pusher.llen(k)).isZero();
      assertThat(ProxyFixture.await(WAIT, () -> small.context().blocking.inUse() == 0)).isTrue();
    }
  }

  @Test
  void aClientThatLeavesIsForgottenByRedis() throws Exception {
    String k = fx.keyInGroup("leave", 1);
    try (Jedis g1 = fx.direct(fx.master(1))) {
      int before = blockedClients(g1);
      RespSocket s = fx.socket();
      s.send("BLPOP", k, "0");
      awaitBlocked(g1, before + 1);
      s.close();
      assertThat(ProxyFixture.await(WAIT, () -> blockedClients(g1) == before)).as("blocked clients on the backend")
          .isTrue();
      assertThat(ProxyFixture.await(WAIT, () -> fx.node().context().blocking.inUse() == 0)).isTrue();
      assertThat(g1.clientList()).doesNotContain("cmd=blpop");
    }
  }

  static int blockedClients(Jedis server) {
    for (String line : server.info("clients").split("\r\n")) {
      if (line.startsWith("blocked_clients:")) {
        return Integer.parseInt(line.substring("blocked_clients:".length()).trim());
      }
    }
    throw new AssertionError("no blocked_clients in INFO clients");
  }

  static void awaitBlocked(Jedis server, int n) throws InterruptedException {
    assertThat(ProxyFixture.await(WAIT, () -> blockedClients(server) >= n))
        .as("%d clients blocked on the backend", n).isTrue();
  }
}
