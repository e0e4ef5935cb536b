package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.launcher.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.FunctionRestorePolicy;

/**
 * CONFIG, SCRIPT and FUNCTION through a node in front of three groups, each a master and a replica:
 * replies compared with a plain redis-server's, effects checked on every server directly. Each test puts
 * back the parameters it changed and removes the scripts and libraries it loaded.
 */
class ConfigScriptFunctionTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String LIB = "#!lua name=%s\nredis.register_function('%s', function(keys, args)"
      + " return redis.call('GET', keys[1]) end)";
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(3).replicas(1).reference().perClass();

  /** Every server of the fixture, masters and replicas. */
  private static List<RedisServer> servers() {
    List<RedisServer> all = new ArrayList<>();
    for (int g = 1; g <= 3; g++) {
      all.add(fx.server(g, 0));
      all.add(fx.server(g, 1));
    }
    return all;
  }

  private static Map<Object, Object> pairs(Object reply) {
    List<?> list = (List<?>) reply;
    Map<Object, Object> map = new HashMap<>();
    for (int i = 0; i < list.size(); i += 2) {
      map.put(list.get(i), list.get(i + 1));
    }
    return map;
  }

  private static Object configGet(RedisServer server, String name) throws Exception {
    return pairs(fx.socket(server).call("CONFIG", "GET", name)).get(name);
  }

  @Test
  void configGetIsTheFirstMastersAnswerAsRedisGivesIt() throws Exception {
    RespSocket node = fx.socket();
    RespSocket redis = fx.socket(fx.reference());
    for (String pattern : List.of("list-max-listpack-size", "*max-*-entries*", "no-such-parameter")) {
      Object answer = node.call("CONFIG", "GET", pattern);
      assertThat(pairs(answer)).as(pattern).isEqualTo(pairs(redis.call("CONFIG", "GET", pattern)));
      assertThat(pairs(answer)).isEqualTo(pairs(fx.socket(fx.master(1)).call("CONFIG", "GET", pattern)));
    }
    // Several patterns: Redis's order is its dictionary's, which differs between servers.
    assertThat(pairs(node.call("CONFIG", "GET", "hash-max-listpack-value", "list-compress-depth")))
        .isEqualTo(pairs(redis.call("CONFIG", "GET", "hash-max-listpack-value", "list-compress-depth")));
  }

  @Test
  void configSetReachesEveryServerAndChangesEncodingsInEveryGroup() throws Exception {
    RespSocket node = fx.socket();
    try {
      assertThat(node.call("CONFIG", "SET", "list-max-listpack-size", "4", "hash-max-listpack-entries", "0"))
          .isEqualTo("OK");
      for (RedisServer s : servers()) {
        assertThat(configGet(s, "list-max-listpack-size")).as(s.address()).isEqualTo("4");
        assertThat(configGet(s, "hash-max-listpack-entries")).as(s.address()).isEqualTo("0");
      }
      for (int g = 1; g <= 3; g++) {
        String key = fx.keyInGroup("enc:" + g + ":", g);
        assertThat(node.call("HSET", key, "f", "v")).isEqualTo(1L);
        assertThat(node.call("OBJECT", "ENCODING", key)).as(key).isEqualTo("hashtable");
      }
    } finally {
      assertThat(node.call("CONFIG", "SET", "list-max-listpack-size", "-2", "hash-max-listpack-entries", "512"))
          .isEqualTo("OK");
    }
    String key = fx.keyInGroup("enc:small:", 2);
    node.call("HSET", key, "f", "v");
    assertThat(node.call("OBJECT", "ENCODING", key)).isEqualTo("listpack");
  }

  @Test
  void refusedParametersChangeNothingAndBadValuesGetRedissErrors() throws Exception {
    RespSocket node = fx.socket();
    RespSocket redis = fx.socket(fx.reference());
    assertThat(node.call("CONFIG", "SET", "list-max-listpack-size", "7", "maxmemory", "100mb")).isEqualTo(
        new RespSocket.Err("ERR CONFIG SET 'maxmemory' is not allowed through Rekko: it is a per-server setting;"
            + " operators set it on each Redis server"));
    assertThat(node.call("CONFIG", "SET", "dir", "/tmp")).isInstanceOf(RespSocket.Err.class);
    for (RedisServer s : servers()) {
      assertThat(configGet(s, "list-max-listpack-size")).isEqualTo("-2");
      assertThat(configGet(s, "maxmemory")).isEqualTo("0");
    }
    for (String[] cmd : List.of(new String[] {"CONFIG", "SET", "no-such-parameter", "1"},
        new String[] {"CONFIG", "SET", "list-*", "1"},
        new String[] {"CONFIG", "SET", "list-max-listpack-size", "abc"},
        new String[] {"CONFIG", "SET", "hash-max-listpack-entries", "1", "zset-max-listpack-value", "x"},
        new String[] {"CONFIG", "SET", "a", "b", "c"}, new String[] {"CONFIG", "SET", "a"},
        new String[] {"CONFIG", "REWRITE"})) {
      Object answer = node.call(cmd);
      assertThat(answer).as(String.join(" ", cmd)).isInstanceOf(RespSocket.Err.class);
      if (!cmd[1].equals("REWRITE")) {
        assertThat(answer).as(String.join(" ", cmd)).isEqualTo(redis.call(cmd));
      }
    }
    assertThat(configGet(fx.server(3, 1), "hash-max-listpack-entries")).isEqualTo("512");
  }

  @Test
  void scriptsLoadedThroughTheNodeRunForKeysInEveryGroup() throws Exception {
    RespSocket node = fx.socket();
    RespSocket redis = fx.socket(fx.reference());
    String script = "return redis.call('GET', KEYS[1])";
    Object sha = node.call("SCRIPT", "LOAD", script);
    assertThat(sha).isEqualTo(redis.call("SCRIPT", "LOAD", script));
    for (RedisServer s : servers()) {
      assertThat(fx.socket(s).call("SCRIPT", "EXISTS", (String) sha)).as(s.address()).isEqualTo(List.of(1L));
    }
    for (int g = 1; g <= 3; g++) {
      String key = fx.keyInGroup("sc:" + g + ":", g);
      node.call("SET", key, "v" + g);
      assertThat(node.call("EVALSHA", (String) sha, "1", key)).isEqualTo("v" + g);
    }
    // Loaded on one master only: not there for the node.
    String other = (String) fx.socket(fx.master(2)).call("SCRIPT", "LOAD", "return 42");
    assertThat(node.call("SCRIPT", "EXISTS", (String) sha, other, "0".repeat(40)))
        .isEqualTo(List.of(1L, 0L, 0L));
    assertThat(redis.call("SCRIPT", "EXISTS", (String) sha, "0".repeat(40))).isEqualTo(List.of(1L, 0L));
    assertThat(node.call("SCRIPT", "LOAD", "retur n 1")).isEqualTo(redis.call("SCRIPT", "LOAD", "retur n 1"));
    assertThat(node.call("SCRIPT", "FLUSH", "BAD")).isEqualTo(redis.call("SCRIPT", "FLUSH", "BAD"));

    // Pipelined: the EVALSHA goes behind the SCRIPT LOAD on the master's connection.
    String key = fx.keyInGroup("sc:pipe:", 3);
    node.call("SET", key, "piped");
    node.write(concat(RespSocket.encode("SCRIPT", "LOAD", "return redis.call('GET', KEYS[1]) .. '!'"),
        RespSocket.encode("EVALSHA", sha1("return redis.call('GET', KEYS[1]) .. '!'"), "1", key)));
    assertThat(node.read()).isEqualTo(sha1("return redis.call('GET', KEYS[1]) .. '!'"));
    assertThat(node.read()).isEqualTo("piped!");

    assertThat(node.call("SCRIPT", "FLUSH", "ASYNC")).isEqualTo("OK");
    redis.call("SCRIPT", "FLUSH");
    for (int g = 1; g <= 3; g++) {
      String k = fx.keyInGroup("sc:" + g + ":", g);
      assertThat(node.call("EVALSHA", (String) sha, "1", k)).isEqualTo(redis.call("EVALSHA", (String) sha, "1", k));
    }
    for (RedisServer s : servers()) {
      assertThat(fx.socket(s).call("SCRIPT", "EXISTS", (String) sha)).isEqualTo(List.of(0L));
    }
  }

  @Test
  void scriptKillStopsABusyScriptAndIsNotBusyOtherwise() throws Exception {
    RespSocket node = fx.socket();
    RespSocket redis = fx.socket(fx.reference());
    assertThat(node.call("SCRIPT", "KILL")).isEqualTo(redis.call("SCRIPT", "KILL"));
    assertThat(node.call("FUNCTION", "KILL")).isEqualTo(redis.call("FUNCTION", "KILL"));
    assertThat(node.call("CONFIG", "SET", "busy-reply-threshold", "50")).isEqualTo("OK");
    try {
      RespSocket busy = fx.socket();
      busy.send("EVAL", "while true do end", "0");
      Object[] kill = new Object[1];
      assertThat(ProxyFixture.await(WAIT, () -> {
        try {
          kill[0] = node.call("SCRIPT", "KILL");
          return "OK".equals(kill[0]);
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      })).as("SCRIPT KILL answered %s", kill[0]).isTrue();
      assertThat(busy.read()).isInstanceOf(RespSocket.Err.class);
      assertThat(busy.call("PING")).isEqualTo("PONG");
    } finally {
      assertThat(node.call("CONFIG", "SET", "lua-time-limit", "5000")).isEqualTo("OK");
    }
    assertThat(configGet(fx.server(1, 1), "busy-reply-threshold")).isEqualTo("5000");
  }

  @Test
  void functionsLoadedThroughTheNodeRunForKeysInEveryGroup() throws Exception {
    RespSocket node = fx.socket();
    RespSocket redis = fx.socket(fx.reference());
    String code = String.format(LIB, "cfglib", "cfg_get");
    assertThat(node.call("FUNCTION", "LOAD", code)).isEqualTo("cfglib");
    assertThat(redis.call("FUNCTION", "LOAD", code)).isEqualTo("cfglib");
    try {
      for (int g = 1; g <= 3; g++) {
        String key = fx.keyInGroup("fn:" + g + ":", g);
        node.call("SET", key, "f" + g);
        assertThat(node.call("FCALL", "cfg_get", "1", key)).isEqualTo("f" + g);
        int group = g;
        assertThat(ProxyFixture.await(WAIT, () -> list(fx.server(group, 1)).contains("cfglib")))
            .as("replica of group %d has the library", g).isTrue();
      }
      assertThat(node.call("FUNCTION", "LOAD", code)).isEqualTo(redis.call("FUNCTION", "LOAD", code));
      assertThat(node.call("FUNCTION", "LIST")).isEqualTo(redis.call("FUNCTION", "LIST"));
      assertThat(node.call("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "cfg*"))
          .isEqualTo(redis.call("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "cfg*"));
      Jedis nodeJedis = fx.jedis();
      byte[] dump = nodeJedis.functionDump();
      assertThat(dump).isEqualTo(fx.direct(fx.reference()).functionDump());
      assertThat(node.call("FUNCTION", "DELETE", "cfglib")).isEqualTo("OK");
      String key = fx.keyInGroup("fn:1:", 1);
      assertThat(node.call("FCALL", "cfg_get", "1", key)).isInstanceOf(RespSocket.Err.class);
      assertThat(node.call("FUNCTION", "DELETE", "cfglib")).isEqualTo(redis.call("FUNCTION", "DELETE", "nolib"));
      assertThat(nodeJedis.functionRestore(dump, FunctionRestorePolicy.REPLACE)).isEqualTo("OK");
      for (int g = 1; g <= 3; g++) {
        String k = fx.keyInGroup("fn:" + g + ":", g);
        assertThat(node.call("FCALL", "cfg_get", "1", k)).isEqualTo("f" + g);
      }
      assertThat(node.call("FUNCTION", "RESTORE", "garbage")).isEqualTo(redis.call("FUNCTION", "RESTORE", "garbage"));
      assertThat(node.call("FUNCTION", "FLUSH", "BAD")).isEqualTo(redis.call("FUNCTION", "FLUSH", "BAD"));
    } finally {
      assertThat(node.call("FUNCTION", "FLUSH")).isEqualTo("OK");
      redis.call("FUNCTION", "FLUSH");
    }
    for (int g = 1; g <= 3; g++) {
      assertThat(list(fx.master(g))).isEmpty();
    }
    assertThat(node.call("FUNCTION", "LIST")).isEqualTo(List.of());
  }

  @Test
  void resetStatResetsTheNodesAndTheMastersCounters() throws Exception {
    RespSocket node = fx.socket();
    for (int g = 1; g <= 3; g++) {
      String key = fx.keyInGroup("stat:" + g + ":", g);
      node.call("SET", key, "v");
      node.call("GET", key);
    }
    for (int g = 1; g <= 3; g++) {
      assertThat(keyspaceHits(fx.master(g))).isPositive();
    }
    assertThat(node.call("CONFIG", "RESETSTAT")).isEqualTo("OK");
    for (int g = 1; g <= 3; g++) {
      assertThat(keyspaceHits(fx.master(g))).as("group %d", g).isZero();
    }
    assertThat(fx.node().stats().snapshot().commands().stream().filter(c -> c.name().equals("GET")).findFirst())
        .hasValueSatisfying(c -> assertThat(c.calls()).isZero());
  }

  private static long keyspaceHits(RedisServer server) throws Exception {
    String info = (String) fx.socket(server).call("INFO", "stats");
    for (String line : info.split("\r\n")) {
      if (line.startsWith("keyspace_hits:")) {
        return Long.parseLong(line.substring("keyspace_hits:".length()));
      }
    }
    throw new AssertionError("no keyspace_hits in " + info);
  }

  private static List<Object> list(RedisServer server) {
    try {
      List<Object> names = new ArrayList<>();
      for (Object lib : (List<?>) fx.socket(server).call("FUNCTION", "LIST")) {
        names.add(((List<?>) lib).get(1));
      }
      return names;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static String sha1(String text) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-1")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
