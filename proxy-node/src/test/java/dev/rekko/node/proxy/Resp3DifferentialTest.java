package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same command sequence, over raw sockets, to a Redis 7.0 of its own and to Rekko in front of three
 * groups, in RESP3 (after HELLO 3) and in RESP2: the replies' bytes are compared, exactly where they can
 * be equal, otherwise their order-free contents (keys spread over groups), or their shape (ids, clocks,
 * INFO's contents).
 */
class Resp3DifferentialTest {
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(3).reference().perClass();

  private enum Compare { EXACT, SORTED, TYPE }

  private record Step(Compare how, String[] cmd) {}

  private static Step exact(String... cmd) {
    return new Step(Compare.EXACT, cmd);
  }

  private static Step sorted(String... cmd) {
    return new Step(Compare.SORTED, cmd);
  }

  private static Step type(String... cmd) {
    return new Step(Compare.TYPE, cmd);
  }

  /** One key in each group, so multi-key commands are split over all three. */
  private static List<String> keysInEveryGroup(String prefix) {
    return List.of(fx.keyInGroup(prefix, 1), fx.keyInGroup(prefix, 2), fx.keyInGroup(prefix, 3));
  }

  private static List<Step> sequence(String db, String emptyDb) {
    List<String> k = keysInEveryGroup("d" + db + ":");
    List<Step> steps = new ArrayList<>(List.of(
        exact("SELECT", db),
        exact("GET", "missing"), exact("HGET", "missing", "f"), exact("LPOP", "missing"),
        exact("ZSCORE", "missing", "m"), exact("ZRANK", "missing", "m"),
        exact("HSET", "h", "a", "1", "b", "2"), exact("HGETALL", "h"), exact("HGETALL", "missing"),
        exact("SADD", "s", "3", "1", "2"), exact("SMEMBERS", "s"), exact("SISMEMBER", "s", "1"),
        exact("ZADD", "z", "1.5", "m", "2", "n"), exact("ZSCORE", "z", "m"), exact("ZINCRBY", "z", "0.25", "n"),
        exact("ZRANGE", "z", "0", "-1", "WITHSCORES"), exact("ZPOPMIN", "missing"),
        exact("MSET", k.get(0), "v0", k.get(1), "v1", k.get(2), "v2"),
        exact("MGET", k.get(0), "missing", k.get(1), k.get(2)),
        exact("EXISTS", k.get(0), k.get(1), "missing", k.get(2)),
        exact("DEL", k.get(1), "missing", k.get(2)),
        exact("MGET", k.get(0), k.get(1), k.get(2)),
        exact("TTL", "h"), exact("EXPIRE", "h", "1000"), exact("TTL", "h"), exact("TTL", "missing"),
        exact("OBJECT", "ENCODING", "h"), exact("OBJECT", "ENCODING", "missing"), exact("TYPE", "h"),
        exact("DBSIZE"), sorted("KEYS", "*"), exact("INFO", "nosuch"),
        exact("CLIENT", "GETNAME"), exact("CLIENT", "SETNAME", "diff"), exact("CLIENT", "GETNAME"),
        exact("ECHO", "x"), exact("PING"), exact("LOLWUT"), type("TIME"),
        exact("COMMAND", "GETKEYSANDFLAGS", "LMOVE", "a", "b", "LEFT", "RIGHT"),
        exact("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"), exact("COMMAND", "INFO", "nosuch"),
        sorted("COMMAND", "LIST", "FILTERBY", "PATTERN", "xinfo*"),
        sorted("COMMAND", "LIST", "FILTERBY", "ACLCAT", "hyperloglog"),
        type("COMMAND", "DOCS", "get"), type("CLIENT", "INFO"), type("CLIENT", "LIST"),
        type("INFO", "keyspace"), type("INFO", "server", "clients"), type("INFO"),
        exact("GET", "{"), exact("XADD", "st", "1-1", "f", "v"), type("XINFO", "STREAM", "st"),
        exact("SELECT", emptyDb), exact("RANDOMKEY"), exact("DBSIZE"), type("SCAN", "0"), exact("KEYS", "*"),
        exact("GET"), exact("FOO")));
    return steps;
  }

  private static void same(RawResp rekko, RawResp redis, List<Step> steps) throws Exception {
    for (Step step : steps) {
      String what = String.join(" ", step.cmd());
      String ours;
      String theirs;
      try {
        ours = rekko.call(step.cmd());
        theirs = redis.call(step.cmd());
      } catch (java.io.IOException e) {
        throw new AssertionError(what + ": " + e, e);
      }
      switch (step.how()) {
        case EXACT -> assertThat(ours).as(what).isEqualTo(theirs);
        case SORTED -> {
          assertThat(ours.charAt(0)).as(what).isEqualTo(theirs.charAt(0));
          @SuppressWarnings("unchecked")
          List<Object> o = (List<Object>) RawResp.parse(ours);
          @SuppressWarnings("unchecked")
          List<Object> t = (List<Object>) RawResp.parse(theirs);
          assertThat(o).as(what).containsExactlyInAnyOrderElementsOf(t);
        }
        case TYPE -> {
          assertThat(ours.charAt(0)).as(what).isEqualTo(theirs.charAt(0));
          if (ours.charAt(0) == '=') {
            assertThat(ours).as(what).contains("\r\ntxt:");
          }
        }
      }
    }
  }

  /** HELLO's replies: Redis's seven fields equal but the client id, Rekko's own two after them. */
  private static void sameHello(String ours, String theirs) {
    Object o = RawResp.parse(ours);
    Object t = RawResp.parse(theirs);
    List<Object> oursFlat = flat(o);
    List<Object> theirsFlat = flat(t);
    assertThat(oursFlat).hasSize(theirsFlat.size() + 4);
    assertThat(oursFlat.subList(0, 6)).isEqualTo(theirsFlat.subList(0, 6));
    assertThat(oursFlat.subList(8, theirsFlat.size())).isEqualTo(theirsFlat.subList(8, theirsFlat.size()));
    assertThat(oursFlat.subList(theirsFlat.size(), oursFlat.size()).get(0)).isEqualTo("rekko-version");
    assertThat(oursFlat.get(theirsFlat.size() + 2)).isEqualTo("rekko-node");
    assertThat(ours.charAt(0)).isEqualTo(theirs.charAt(0));
  }

  private static List<Object> flat(Object hello) {
    if (hello instanceof Map<?, ?> m) {
      List<Object> out = new ArrayList<>();
      m.forEach((key, value) -> {
        out.add(key);
        out.add(value);
      });
      return out;
    }
    return new ArrayList<>((List<?>) hello);
  }

  @Test
  void resp3RepliesAreRedisBytes() throws Exception {
    try (RawResp rekko = new RawResp(fx.node().respPort()); RawResp redis = new RawResp(fx.reference().port())) {
      sameHello(rekko.call("HELLO", "3"), redis.call("HELLO", "3"));
      assertThat(rekko.call("HELLO")).startsWith("%9\r\n");
      same(rekko, redis, sequence("3", "4"));
      // HELLO 2 goes back.
      sameHello(rekko.call("HELLO", "2"), redis.call("HELLO", "2"));
      same(rekko, redis, List.of(exact("GET", "missing"), exact("HGETALL", "h"), exact("ZSCORE", "z", "m"),
          type("CLIENT", "INFO"), exact("RANDOMKEY")));
    }
  }

  @Test
  void resp2RepliesStayRedisBytes() throws Exception {
    try (RawResp rekko = new RawResp(fx.node().respPort()); RawResp redis = new RawResp(fx.reference().port())) {
      same(rekko, redis, sequence("5", "6"));
    }
  }

  @Test
  void infoKeyspaceAndClientLinesHaveRedisShapes() throws Exception {
    try (RawResp rekko = new RawResp(fx.node().respPort()); RawResp redis = new RawResp(fx.reference().port())) {
      rekko.call("HELLO", "3");
      redis.call("HELLO", "3");
      same(rekko, redis, List.of(exact("SELECT", "7"), exact("SET", "a", "1"), exact("SET", "b", "2"),
          exact("EXPIRE", "a", "1000")));
      String ours = (String) RawResp.parse(rekko.call("INFO", "keyspace"));
      String theirs = (String) RawResp.parse(redis.call("INFO", "keyspace"));
      assertThat(ours).startsWith("txt:# Keyspace\r\n").endsWith("\r\n").doesNotEndWith("\r\n\r\n");
      String line = Arrays.stream(theirs.split("\r\n")).filter(l -> l.startsWith("db7:")).findFirst().orElseThrow();
      assertThat(line).startsWith("db7:keys=2,expires=1,");
      assertThat(ours).contains("db7:keys=2,expires=1,");
      String info = (String) RawResp.parse(rekko.call("CLIENT", "INFO"));
      String redisInfo = (String) RawResp.parse(redis.call("CLIENT", "INFO"));
      assertThat(info).startsWith("txt:id=").endsWith("\n").contains(" resp=3 ", " db=7 ", " cmd=client|info ");
      assertThat(fieldNames(info)).containsAll(fieldNames(redisInfo));
      String list = (String) RawResp.parse(rekko.call("CLIENT", "LIST"));
      assertThat(list).startsWith("txt:id=").endsWith("\n");
      assertThat(fieldNames(list.lines().findFirst().orElseThrow())).containsAll(fieldNames(redisInfo));
    }
  }

  private static List<String> fieldNames(String line) {
    return Arrays.stream(line.replace("txt:", "").trim().split(" ")).map(f -> f.substring(0, f.indexOf('='))).toList();
  }

  @Test
  void scanInResp3WalksEveryGroup() throws Exception {
    try (RawResp rekko = new RawResp(fx.node().respPort())) {
      rekko.call("HELLO", "3");
      rekko.call("SELECT", "8");
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        keys.add("scan3:" + i);
        assertThat(rekko.call("SET", "scan3:" + i, "v")).isEqualTo("+OK\r\n");
      }
      List<Object> seen = new ArrayList<>();
      String cursor = "0";
      do {
        String frame = rekko.call("SCAN", cursor);
        assertThat(frame).startsWith("*2\r\n$");
        List<?> reply = (List<?>) RawResp.parse(frame);
        cursor = (String) reply.get(0);
        seen.addAll((List<?>) reply.get(1));
      } while (!cursor.equals("0"));
      assertThat(seen).containsExactlyInAnyOrderElementsOf(keys);
      assertThat(rekko.call("RANDOMKEY")).startsWith("$").contains("\r\nscan3:");
    }
  }

  @Test
  void resetGoesBackToResp2() throws Exception {
    try (RawResp rekko = new RawResp(fx.node().respPort())) {
      assertThat(rekko.call("HELLO", "3")).startsWith("%9\r\n");
      assertThat(rekko.call("GET", "missing")).isEqualTo("_\r\n");
      assertThat(rekko.call("RESET")).isEqualTo("+RESET\r\n");
      assertThat(rekko.call("GET", "missing")).isEqualTo("$-1\r\n");
      assertThat(rekko.call("HELLO", "4")).isEqualTo("-NOPROTO unsupported protocol version\r\n");
      assertThat(rekko.call("HELLO", "-3")).isEqualTo("-NOPROTO unsupported protocol version\r\n");
      assertThat(rekko.call("GET", "missing")).isEqualTo("$-1\r\n");
    }
  }
}
