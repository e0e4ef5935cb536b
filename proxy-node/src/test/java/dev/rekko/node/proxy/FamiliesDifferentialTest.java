package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 16's families in both protocols, byte for byte against a single Redis: the same sequence of
 * transactions, blocking pops, CONFIG, scripts, functions and pub/sub (subscriber and publisher on
 * separate connections) sent to a plain redis-server and to a node over three groups, after {@code HELLO
 * 2} or {@code HELLO 3} on both; every reply frame, pushes included, must be Redis's own bytes.
 */
class FamiliesDifferentialTest {
  private static final String LIBRARY = "#!lua name=difflib\n"
      + "redis.register_function('diff_get', function(keys, args) return redis.call('GET', keys[1]) end)";
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(3).reference().perClass();

  @ParameterizedTest(name = "RESP{0}")
  @ValueSource(ints = {2, 3})
  void transactionsBlockingScriptsAndConfigAnswerAsRedis(int protocol) throws Exception {
    String t = "{fam" + protocol + "}";
    List<String[]> steps = List.of(
        cmd("DEL", t + "a", t + "b", t + "l", t + "z"),
        cmd("MULTI"), cmd("INCR", t + "a"), cmd("SET", t + "b", "x"), cmd("GET", t + "b"),
        cmd("HSET", t + "h", "f", "v"), cmd("HGETALL", t + "h"), cmd("EXEC"),
        cmd("MULTI"), cmd("NOSUCHCOMMAND"), cmd("EXEC"),
        cmd("MULTI"), cmd("DISCARD"), cmd("EXEC"),
        cmd("RPUSH", t + "l", "1", "2"), cmd("BLPOP", t + "l", "1"), cmd("BRPOP", t + "l", "1"),
        cmd("BLPOP", t + "l", "0.1"), cmd("ZADD", t + "z", "1.5", "m"), cmd("BZPOPMIN", t + "z", "1"),
        cmd("BLMPOP", "0.1", "1", t + "l", "LEFT"),
        cmd("CONFIG", "GET", "hash-max-listpack-entries"),
        cmd("SCRIPT", "LOAD", "return redis.call('GET', KEYS[1])"),
        cmd("EVALSHA", "d3c21d0c2b9ca22f82737626a27bcaf5d288f99f", "1", t + "b"),
        cmd("FUNCTION", "LOAD", "REPLACE", LIBRARY), cmd("FCALL", "diff_get", "1", t + "b"),
        cmd("FUNCTION", "LIST", "LIBRARYNAME", "difflib"), cmd("FUNCTION", "DELETE", "difflib"));
    try (RawResp rekko = new RawResp(fx.node().respPort()); RawResp redis = new RawResp(fx.reference().port())) {
      hello(rekko, redis, protocol);
      for (String[] step : steps) {
        assertThat(rekko.call(step)).as(String.join(" ", step)).isEqualTo(redis.call(step));
      }
    }
  }

  @ParameterizedTest(name = "RESP{0}")
  @ValueSource(ints = {2, 3})
  void pubsubPushesAreRedisFrames(int protocol) throws Exception {
    String channel = "fam-news-" + protocol;
    try (RawResp rekkoSub = new RawResp(fx.node().respPort()); RawResp redisSub = new RawResp(fx.reference().port());
        RawResp rekkoPub = new RawResp(fx.node().respPort()); RawResp redisPub = new RawResp(fx.reference().port())) {
      hello(rekkoSub, redisSub, protocol);
      List<String[]> subscribe = List.of(cmd("SUBSCRIBE", channel, channel + "-2"),
          cmd("PSUBSCRIBE", "fam-pat-" + protocol + ".*"), cmd("SSUBSCRIBE", "{fam}" + channel));
      for (String[] step : subscribe) {
        rekkoSub.send(step);
        redisSub.send(step);
        for (int i = step[0].equals("SUBSCRIBE") ? 2 : 1; i > 0; i--) {
          assertThat(rekkoSub.read()).as(String.join(" ", step)).isEqualTo(redisSub.read());
        }
      }
      // Counts differ by design (a node's hub is one subscriber on the backend): only that one arrived.
      assertThat(rekkoPub.call("PUBLISH", channel, "hello")).isEqualTo(":1\r\n");
      redisPub.call("PUBLISH", channel, "hello");
      rekkoPub.call("PUBLISH", "fam-pat-" + protocol + ".x", "world");
      redisPub.call("PUBLISH", "fam-pat-" + protocol + ".x", "world");
      rekkoPub.call("SPUBLISH", "{fam}" + channel, "shard");
      redisPub.call("SPUBLISH", "{fam}" + channel, "shard");
      List<String> ours = new ArrayList<>();
      List<String> theirs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ours.add(rekkoSub.read());
        theirs.add(redisSub.read());
      }
      // The same frames; their order is not Redis's to keep: the shard channel's push comes from another
      // backend subscription than the global channel's and pattern's.
      assertThat(ours).containsExactlyInAnyOrderElementsOf(theirs);
      List<String[]> after = List.of(cmd("PING"), cmd("UNSUBSCRIBE", channel), cmd("PUNSUBSCRIBE"));
      for (String[] step : after) {
        assertThat(rekkoSub.call(step)).as(String.join(" ", step)).isEqualTo(redisSub.call(step));
      }
    }
  }

  private static void hello(RawResp rekko, RawResp redis, int protocol) throws Exception {
    assertThat(rekko.call("HELLO", Integer.toString(protocol))).startsWith(protocol == 3 ? "%" : "*");
    redis.call("HELLO", Integer.toString(protocol));
  }

  private static String[] cmd(String... args) {
    return args;
  }
}
