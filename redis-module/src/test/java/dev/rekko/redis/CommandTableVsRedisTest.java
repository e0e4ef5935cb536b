package dev.rekko.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.Args;
import dev.rekko.protocol.Errors;
import dev.rekko.protocol.command.CommandFlag;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.command.CommandTable;
import dev.rekko.protocol.command.KeySpec;
import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Checks Rekko's command table against a real redis-server 7.0.15: the facts (arity, flags, key positions,
 * key specs, since), the keys found for representative invocations (against COMMAND GETKEYS), and the
 * error texts Rekko copies from Redis (against what the server answers to the same input).
 */
class CommandTableVsRedisTest {
  private static RedisServer server;
  private static Jedis jedis;
  private static String version;
  /** COMMAND INFO entries by name, subcommands included, with byte strings decoded. */
  private static final Map<String, List<Object>> INFO = new LinkedHashMap<>();
  private static final Map<String, String> SINCE = new HashMap<>();

  @BeforeAll
  static void start() {
    server = RedisServer.builder().start();
    jedis = connect(server);
    String serverInfo = (String) call("INFO", "server");
    version = serverInfo.lines().filter(l -> l.startsWith("redis_version:")).findFirst().orElseThrow()
        .substring("redis_version:".length());
    for (Object entry : list(call("COMMAND", "INFO"))) {
      INFO.put((String) list(entry).get(0), list(entry));
      for (Object sub : list(list(entry).get(9))) {
        INFO.put((String) list(sub).get(0), list(sub));
      }
    }
    collectSince(list(call("COMMAND", "DOCS")));
    call("FUNCTION", "LOAD", "#!lua name=rekkotest\n"
        + "redis.register_function('f', function(keys, args) return #keys end)");
  }

  @AfterAll
  static void stop() {
    if (jedis != null) {
      jedis.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void everyRedisCommandIsInTheTableWithTheSameFacts() {
    assertThat(version).isEqualTo("7.0.15");
    assertThat(INFO).hasSizeGreaterThan(300);
    for (Map.Entry<String, List<Object>> e : INFO.entrySet()) {
      String name = e.getKey();
      List<Object> info = e.getValue();
      CommandSpec spec = CommandTable.lookup(name);
      assertThat(spec).as(name).isNotNull();
      assertThat(spec.name()).isEqualTo(name);
      assertThat(spec.arity()).as("arity of %s", name).isEqualTo(num(info.get(1)));
      assertThat(spec.flags()).as("flags of %s", name).isEqualTo(flags(list(info.get(2))));
      assertThat(List.of(spec.firstKey(), spec.lastKey(), spec.step())).as("key range of %s", name)
          .containsExactly(num(info.get(3)), num(info.get(4)), num(info.get(5)));
      List<KeySpec> specs = list(info.get(8)).stream().map(CommandTableVsRedisTest::keySpec).toList();
      assertThat(spec.keySpecs()).as("key specs of %s", name).isEqualTo(specs);
      assertThat(spec.since()).as("since of %s", name).isEqualTo(SINCE.get(name));
      assertThat(spec.isContainer()).as("container %s", name).isEqualTo(!list(info.get(9)).isEmpty());
    }
  }

  @Test
  void nothingInTheTableIsUnknownToRedisExceptNewerOrProxyOnlyCommands() {
    List<String> newer = new ArrayList<>();
    for (CommandSpec spec : CommandTable.all()) {
      if (!spec.isRedisCommand()) {
        continue;
      }
      if (compareVersions(spec.since(), version) > 0) {
        newer.add(spec.name());
        assertThat(INFO).as("%s claims since %s", spec.name(), spec.since()).doesNotContainKey(spec.name());
      } else {
        assertThat(INFO).as("%s is not a Redis %s command", spec.name(), version).containsKey(spec.name());
      }
    }
    assertThat(newer).contains("client|setinfo", "client|no-touch", "waitaof");
  }

  @Test
  void keysMatchCommandGetkeys() {
    Set<String> covered = new TreeSet<>();
    for (String[] argv : INVOCATIONS) {
      Args args = Args.of(argv);
      CommandSpec spec = CommandTable.lookup(args);
      int[] out = new int[argv.length];
      int n = spec.keyIndexes(args, out);
      assertThat(n).as("keys of %s", Arrays.toString(argv)).isNotNegative();
      List<String> ours = Arrays.stream(out, 0, n).mapToObj(i -> argv[i]).toList();
      String[] getkeys = new String[argv.length + 1];
      getkeys[0] = "GETKEYS";
      System.arraycopy(argv, 0, getkeys, 1, argv.length);
      List<String> theirs = list(call("COMMAND", getkeys)).stream().map(String.class::cast).toList();
      assertThat(ours).as("keys of %s", Arrays.toString(argv)).isEqualTo(theirs);
      covered.add(spec.name());
    }
    Set<String> movable = new TreeSet<>();
    INFO.forEach((name, info) -> {
      if (list(info.get(2)).contains("movablekeys")) {
        movable.add(name);
      }
    });
    assertThat(covered).containsAll(movable);
  }

  @Test
  void errorTextsAreTheServersOwn() {
    String a = "a".repeat(100);
    for (String[] argv : List.of(new String[] {"foo"}, new String[] {"foo", "a", "b"},
        new String[] {"foo", a, "b".repeat(100), "c"}, new String[] {"c".repeat(200), "x"},
        new String[] {"foo", "x\r\ny"})) {
      assertThat(Errors.unknownCommand(Args.of(argv))).isEqualTo(serverError(argv));
    }
    for (String[] argv : List.of(new String[] {"client", "foo"}, new String[] {"OBJECT", "bar", "k"},
        new String[] {"Config", a})) {
      assertThat(Errors.unknownSubcommand(Args.of(argv))).isEqualTo(serverError(argv));
    }
    for (String[] argv : List.of(new String[] {"get"}, new String[] {"GET", "a", "b"},
        new String[] {"client"}, new String[] {"client", "setname"}, new String[] {"CONFIG", "GET"},
        new String[] {"xinfo", "stream"})) {
      Args args = Args.of(argv);
      assertThat(CommandTable.rejection(args, CommandTable.lookup(args))).isEqualTo(serverError(argv));
    }
    assertThat(Errors.SYNTAX).isEqualTo(serverError("SET", "k", "v", "NX", "XX"));
    assertThat(Errors.NOT_AN_INTEGER).isEqualTo(serverError("INCRBY", "k", "x"));
    assertThat(Errors.NOPROTO).isEqualTo(serverError("HELLO", "4"));
    assertThat(Errors.AUTH_NOT_CONFIGURED).isEqualTo(serverError("AUTH", "nopass"));
    assertThat(Errors.WRONGPASS).isEqualTo(serverError("AUTH", "nobody", "nopass"));
  }

  @Test
  void numkeysErrorsAreTheServersOwn() {
    String sha = "0".repeat(40);
    List<String[]> bad = List.of(new String[] {"EVAL", "return 1", "x", "a"},
        new String[] {"EVAL", "return 1", "99999999999999999999", "a"},
        new String[] {"EVAL", "return 1", "-1", "a"}, new String[] {"EVAL_RO", "return 1", "3", "a", "b"},
        new String[] {"EVALSHA", sha, "-1", "a"}, new String[] {"EVALSHA_RO", sha, "2", "a"},
        new String[] {"FCALL", "f", "x", "a"}, new String[] {"FCALL", "f", "-1", "a"},
        new String[] {"FCALL_RO", "f", "3", "a", "b"}, new String[] {"ZUNIONSTORE", "d", "0", "a"},
        new String[] {"ZINTERSTORE", "d", "-1", "a"}, new String[] {"ZDIFFSTORE", "d", "5", "a", "b"},
        new String[] {"ZUNION", "x", "a"}, new String[] {"ZINTER", "3", "a", "b"},
        new String[] {"ZDIFF", "0", "a"}, new String[] {"ZINTERCARD", "3", "a", "b"},
        new String[] {"SINTERCARD", "0", "a"}, new String[] {"SINTERCARD", "x", "a"},
        new String[] {"SINTERCARD", "3", "a", "b"}, new String[] {"LMPOP", "2", "a", "b"},
        new String[] {"LMPOP", "x", "a", "LEFT"}, new String[] {"ZMPOP", "0", "a", "MIN"},
        new String[] {"ZMPOP", "3", "a", "b", "MIN"}, new String[] {"BLMPOP", "0", "-1", "a", "LEFT"},
        new String[] {"BZMPOP", "0", "3", "a", "b", "MIN"}, new String[] {"XREAD", "STREAMS", "a", "b", "c"},
        new String[] {"XREAD", "COUNT", "1", "a", "b"}, new String[] {"XREADGROUP", "GROUP", "g", "c",
            "STREAMS", "a", "b", "c"});
    for (String[] argv : bad) {
      Args args = Args.of(argv);
      CommandSpec spec = CommandTable.lookup(args);
      int code = spec.keyIndexes(args, new int[argv.length]);
      assertThat(code).as("result for %s", Arrays.toString(argv)).isNegative();
      assertThat(spec.keyError(code)).as(Arrays.toString(argv)).isEqualTo(serverError(argv));
    }
  }

  @Test
  void noauthIsTheServersOwn() throws IOException {
    // The launcher's plain client, since Jedis's connection handshake itself fails without a password.
    try (RedisServer secured = RedisServer.builder().password("secret").start();
        LocalRedisClient client = new LocalRedisClient(secured.host(), secured.port(), 5_000)) {
      assertThat(client.call("GET", "k")).isEqualTo(new LocalRedisClient.RedisError(Errors.NOAUTH));
    }
  }

  /** Every movable-keys command of Redis 7.0 at least once, and a sample of fixed-position ones. */
  private static final List<String[]> INVOCATIONS = List.of(
      new String[] {"GET", "k"}, new String[] {"SET", "k", "v", "GET"}, new String[] {"MSET", "a", "1", "b", "2"},
      new String[] {"MGET", "a", "b", "c"}, new String[] {"DEL", "a", "b"}, new String[] {"EXISTS", "a", "b"},
      new String[] {"TOUCH", "a"}, new String[] {"UNLINK", "a", "b"}, new String[] {"BLPOP", "a", "b", "0"},
      new String[] {"RENAME", "a", "b"}, new String[] {"BITOP", "AND", "d", "a", "b"},
      new String[] {"LCS", "a", "b"}, new String[] {"OBJECT", "ENCODING", "k"},
      new String[] {"MEMORY", "USAGE", "k", "SAMPLES", "1"}, new String[] {"XINFO", "STREAM", "k"},
      new String[] {"XGROUP", "CREATE", "k", "g", "$"}, new String[] {"COPY", "a", "b"},
      new String[] {"LMOVE", "a", "b", "LEFT", "RIGHT"}, new String[] {"SINTERSTORE", "d", "a", "b"},
      new String[] {"PFCOUNT", "a", "b"}, new String[] {"MSETNX", "a", "1", "b", "2"},
      new String[] {"GEOSEARCHSTORE", "d", "s", "FROMMEMBER", "m", "BYRADIUS", "1", "km"},
      new String[] {"BITFIELD", "k", "GET", "u8", "0"}, new String[] {"ZRANGESTORE", "d", "s", "0", "-1"},
      new String[] {"BRPOPLPUSH", "a", "b", "0"}, new String[] {"BZPOPMIN", "a", "b", "0"},
      new String[] {"XADD", "s", "*", "f", "v"}, new String[] {"WATCH", "a", "b"},
      new String[] {"EVAL", "return 1", "2", "a", "b", "x"}, new String[] {"EVAL", "return 1", "0"},
      new String[] {"EVALSHA", "sha", "1", "a"}, new String[] {"EVAL_RO", "return 1", "1", "a", "x"},
      new String[] {"EVALSHA_RO", "sha", "2", "a", "b"}, new String[] {"FCALL", "f", "2", "a", "b", "x"},
      new String[] {"FCALL_RO", "f", "1", "a"},
      new String[] {"GEORADIUS", "k", "0", "0", "1", "km", "STORE", "d"},
      new String[] {"GEORADIUS", "k", "0", "0", "1", "km", "WITHDIST"},
      new String[] {"GEORADIUS", "k", "0", "0", "1", "km", "STORE", "d", "STOREDIST", "e"},
      new String[] {"GEORADIUSBYMEMBER", "k", "m", "1", "km", "STOREDIST", "d"},
      new String[] {"LMPOP", "2", "a", "b", "LEFT"}, new String[] {"BLMPOP", "0", "2", "a", "b", "LEFT"},
      new String[] {"ZMPOP", "1", "a", "MIN"}, new String[] {"BZMPOP", "0", "2", "a", "b", "MAX", "COUNT", "2"},
      new String[] {"MIGRATE", "h", "6379", "k", "0", "100"},
      new String[] {"MIGRATE", "h", "6379", "", "0", "100", "COPY", "REPLACE", "KEYS", "a", "b"},
      new String[] {"MIGRATE", "h", "6379", "", "0", "100", "AUTH", "keys", "KEYS", "a"},
      new String[] {"SINTERCARD", "2", "a", "b", "LIMIT", "1"}, new String[] {"ZINTERCARD", "2", "a", "b"},
      new String[] {"SORT", "k"}, new String[] {"SORT", "k", "STORE", "d"},
      new String[] {"SORT", "k", "LIMIT", "0", "1", "STORE", "d", "ALPHA"},
      new String[] {"SORT", "k", "BY", "w_*", "GET", "#", "STORE", "d"},
      new String[] {"SORT_RO", "k", "BY", "w_*"},
      new String[] {"XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "0"},
      new String[] {"XREAD", "BLOCK", "0", "STREAMS", "a", "0"},
      new String[] {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", ">"},
      new String[] {"XREADGROUP", "GROUP", "streams", "c", "NOACK", "STREAMS", "a", "b", ">", ">"},
      new String[] {"ZDIFF", "2", "a", "b"}, new String[] {"ZDIFFSTORE", "d", "2", "a", "b"},
      new String[] {"ZINTER", "2", "a", "b"}, new String[] {"ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"},
      new String[] {"ZUNION", "1", "a"}, new String[] {"ZUNIONSTORE", "d", "2", "a", "b", "AGGREGATE", "MAX"});

  private static Jedis connect(RedisServer s) {
    return new Jedis(new HostAndPort(s.host(), s.port()),
        DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP2).build());
  }

  private static Object call(String name, String... args) {
    return decode(jedis.sendCommand(command(name), args));
  }

  private static String serverError(String... argv) {
    try {
      Object reply = jedis.sendCommand(command(argv[0]), Arrays.copyOfRange(argv, 1, argv.length));
      throw new AssertionError(Arrays.toString(argv) + " did not fail: " + decode(reply));
    } catch (JedisDataException e) {
      return e.getMessage();
    }
  }

  private static ProtocolCommand command(String name) {
    byte[] raw = name.getBytes(StandardCharsets.UTF_8);
    return () -> raw;
  }

  /** Raw Jedis replies with byte strings decoded, so they compare as text. */
  private static Object decode(Object o) {
    if (o instanceof byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    } else if (o instanceof List<?> l) {
      return l.stream().map(CommandTableVsRedisTest::decode).toList();
    }
    return o;
  }

  private static void collectSince(List<Object> docs) {
    for (int i = 0; i + 1 < docs.size(); i += 2) {
      Map<String, Object> doc = map(docs.get(i + 1));
      SINCE.put((String) docs.get(i), (String) doc.get("since"));
      if (doc.containsKey("subcommands")) {
        collectSince(list(doc.get("subcommands")));
      }
    }
  }

  private static Set<CommandFlag> flags(List<Object> names) {
    Set<CommandFlag> flags = EnumSet.noneOf(CommandFlag.class);
    for (Object name : names) {
      CommandFlag flag = CommandFlag.ofRedisName((String) name);
      assertThat(flag).as("flag %s", name).isNotNull();
      flags.add(flag);
    }
    return flags;
  }

  private static KeySpec keySpec(Object reply) {
    Map<String, Object> m = map(reply);
    Set<KeySpec.Flag> flags = EnumSet.noneOf(KeySpec.Flag.class);
    list(m.get("flags")).forEach(f -> flags.add(KeySpec.Flag.ofRedisName((String) f)));
    Map<String, Object> bs = map(m.get("begin_search"));
    Map<String, Object> b = map(bs.get("spec"));
    KeySpec.BeginSearch begin = switch ((String) bs.get("type")) {
      case "index" -> new KeySpec.Index(num(b.get("index")));
      case "keyword" -> new KeySpec.Keyword((String) b.get("keyword"), num(b.get("startfrom")));
      default -> new KeySpec.UnknownBegin();
    };
    Map<String, Object> fk = map(m.get("find_keys"));
    Map<String, Object> f = map(fk.get("spec"));
    KeySpec.FindKeys find = switch ((String) fk.get("type")) {
      case "range" -> new KeySpec.Range(num(f.get("lastkey")), num(f.get("keystep")), num(f.get("limit")));
      case "keynum" -> new KeySpec.Keynum(num(f.get("keynumidx")), num(f.get("firstkey")), num(f.get("keystep")));
      default -> new KeySpec.UnknownFind();
    };
    return new KeySpec(flags, begin, find);
  }

  /** Compares dotted versions numerically: 7.2.0 is newer than 7.0.15. */
  private static int compareVersions(String a, String b) {
    int[] x = Arrays.stream(a.split("\\.")).mapToInt(Integer::parseInt).toArray();
    int[] y = Arrays.stream(b.split("\\.")).mapToInt(Integer::parseInt).toArray();
    return Arrays.compare(x, y);
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  private static Map<String, Object> map(Object o) {
    List<Object> flat = list(o);
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      m.put((String) flat.get(i), flat.get(i + 1));
    }
    return m;
  }

  private static int num(Object o) {
    return ((Long) o).intValue();
  }
}
