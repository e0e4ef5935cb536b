package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.rekko.node.RekkoNode;
import dev.rekko.protocol.Errors;
import dev.rekko.redis.launcher.RedisServer;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * What a session keeps and answers itself: SELECT, refusals and Redis's errors (each leaving the
 * connection usable), the commands clients probe with on connect, and the fan-out of DBSIZE and INFO.
 * Where Redis has an answer, the test asks a real Redis the same question and compares.
 */
class SessionCommandsTest {
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).perClass();
  private static RedisServer reference;

  @BeforeAll
  static void start() throws Exception {
    reference = fx.master(1);
  }

  /** The connection answers normally after an error: the error did not poison it. */
  private static void stillWorks(RespSocket s, String key) throws Exception {
    assertThat(s.call("PING")).isEqualTo("PONG");
    assertThat(s.call("SET", key, "after")).isEqualTo("OK");
    assertThat(s.call("GET", key)).isEqualTo("after");
  }

  @Test
  void selectWritesToThatDatabaseOfTheOwningBackend() throws Exception {
    String key = "sel:k";
    RespSocket s1 = fx.socket();
    RespSocket s0 = fx.socket();
    assertThat(s1.call("SELECT", "1")).isEqualTo("OK");
    assertThat(s1.call("SET", key, "in-db1")).isEqualTo("OK");
    assertThat(s0.call("GET", key)).isNull();
    assertThat(s0.call("SET", key, "in-db0")).isEqualTo("OK");
    assertThat(s1.call("GET", key)).isEqualTo("in-db1");
    Jedis owner = fx.direct(fx.masterOf(key));
    assertThat(owner.get(key)).isEqualTo("in-db0");
    owner.select(1);
    assertThat(owner.get(key)).isEqualTo("in-db1");
  }

  @Test
  void twoSessionsInDifferentDatabasesAtOnce() {
    List<String> keys = IntStream.range(0, 2_000).mapToObj(i -> "par:" + i).toList();
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      RespSocket a = fx.socket();
      RespSocket b = fx.socket();
      assertThat(a.call("SELECT", "2")).isEqualTo("OK");
      assertThat(b.call("SELECT", "3")).isEqualTo("OK");
      CompletableFuture<Void> fa = TestThreads.fork(() -> writeAndReadBack(a, keys, "A"));
      CompletableFuture<Void> fb = TestThreads.fork(() -> writeAndReadBack(b, keys, "B"));
      CompletableFuture.allOf(fa, fb).get();
    });
    for (String key : List.of(keys.get(0), keys.get(1_000), keys.get(1_999))) {
      Jedis owner = fx.direct(fx.masterOf(key));
      owner.select(2);
      assertThat(owner.get(key)).isEqualTo("A-" + key);
      owner.select(3);
      assertThat(owner.get(key)).isEqualTo("B-" + key);
      owner.select(0);
      assertThat(owner.get(key)).isNull();
    }
  }

  private static void writeAndReadBack(RespSocket s, List<String> keys, String tag) throws Exception {
    // Interleave writes and reads so both sessions' commands share the backend connections.
    for (String k : keys) {
      s.send("SET", k, tag + "-" + k);
      s.send("GET", k);
    }
    for (String k : keys) {
      assertThat(s.read()).isEqualTo("OK");
      assertThat(s.read()).isEqualTo(tag + "-" + k);
    }
  }

  @Test
  void selectOutOfRangeIsCodisErrorAndKeepsTheDatabase() throws Exception {
    RespSocket s = fx.socket();
    assertThat(s.call("SELECT", "4")).isEqualTo("OK");
    assertThat(s.call("SET", "sel4:k", "four")).isEqualTo("OK");
    RespSocket.Err invalid = new RespSocket.Err("ERR invalid DB index, only accept DB [0,16)");
    assertThat(invalid.message()).isEqualTo(Errors.invalidDbIndex(16));
    assertThat(s.call("SELECT", "16")).isEqualTo(invalid);
    assertThat(s.call("SELECT", "-1")).isEqualTo(invalid);
    assertThat(s.call("GET", "sel4:k")).isEqualTo("four");
  }

  @Test
  void databasesSettingBoundsSelect() throws Exception {
    RekkoNode four = fx.startNode(Map.of("rekko.backend.databases", "4"));
    RespSocket s = fx.socket(four);
    assertThat(s.call("SELECT", "4")).isEqualTo(new RespSocket.Err("ERR invalid DB index, only accept DB [0,4)"));
    assertThat(s.call("SELECT", "3")).isEqualTo("OK");
  }

  @Test
  void refusedCommandIsCodisErrorAndConnectionKeepsWorking() throws Exception {
    RespSocket s = fx.socket();
    assertThat(s.call("SWAPDB", "0", "1")).isEqualTo(new RespSocket.Err("ERR handle request, command 'SWAPDB' is not allowed"));
    stillWorks(s, "ref:1");
    assertThat(s.call("CONFIG", "REWRITE"))
        .isEqualTo(new RespSocket.Err("ERR handle request, command 'CONFIG REWRITE' is not allowed"));
    stillWorks(s, "ref:2");
    assertThat(s.call("PUBSUB", "HELP")).isEqualTo(new RespSocket.Err("ERR handle request, command 'PUBSUB HELP' is not allowed"));
    stillWorks(s, "ref:3");
  }

  @Test
  void unknownCommandAndWrongArityAreRedisErrors() throws Exception {
    RespSocket s = fx.socket();
    RespSocket redis = fx.socket(reference);
    assertThat(s.call("foo", "bar"))
        .isEqualTo(new RespSocket.Err("ERR unknown command 'foo', with args beginning with: 'bar' "));
    stillWorks(s, "unk:1");
    assertThat(s.call("GET")).isEqualTo(new RespSocket.Err("ERR wrong number of arguments for 'get' command"));
    stillWorks(s, "unk:2");
    List<String[]> same = List.of(
        new String[] {"FOO", "bar"}, new String[] {"foo"}, new String[] {"GET"}, new String[] {"SET", "k"},
        new String[] {"CLIENT", "FOO"}, new String[] {"CLIENT", "SETNAME", "has space"},
        new String[] {"INCR", "unk:str"}, new String[] {"SETEX", "unk:x", "nan", "v"},
        new String[] {"PING", "a", "b"}, new String[] {"SELECT", "abc"}, new String[] {"SELECT"},
        new String[] {"AUTH", "a", "b", "c"}, new String[] {"AUTH", "pw"}, new String[] {"ECHO"},
        new String[] {"HELLO", "abc"}, new String[] {"HELLO", "4"}, new String[] {"HELLO", "2", "FOO"},
        new String[] {"COMMAND", "GETKEYS", "nosuch"}, new String[] {"COMMAND", "GETKEYS", "GET", "a", "b"},
        new String[] {"COMMAND", "FOO"}, new String[] {"TIME", "x"}, new String[] {"DBSIZE", "x"},
        new String[] {"MGET"}, new String[] {"MSET", "a"}, new String[] {"EVAL", "return 1", "-1"},
        new String[] {"EVAL", "return 1", "5", "a"}, new String[] {"ZUNIONSTORE", "d", "0", "a"}, new String[] {""});
    redis.call("SET", "unk:str", "text");
    s.call("SET", "unk:str", "text");
    for (String[] cmd : same) {
      assertThat(s.call(cmd)).as(String.join(" ", cmd)).isEqualTo(redis.call(cmd));
      stillWorks(s, "unk:3");
    }
  }

  @Test
  void inlineCommandsWork() throws Exception {
    RespSocket s = fx.socket();
    s.writeRaw("PING\r\nSET inline:k \"two words\"\r\nGET inline:k\r\n");
    assertThat(s.read()).isEqualTo("PONG");
    assertThat(s.read()).isEqualTo("OK");
    assertThat(s.read()).isEqualTo("two words");
  }

  @Test
  void quitAnswersOkAndClosesWithoutRunningWhatFollows() throws Exception {
    RespSocket s = fx.socket();
    s.write(concat(RespSocket.encode("SET", "quit:before", "1"), RespSocket.encode("QUIT"),
        RespSocket.encode("SET", "quit:after", "1")));
    assertThat(s.read()).isEqualTo("OK");
    assertThat(s.read()).isEqualTo("OK");
    s.setTimeout(5_000);
    assertThat(s.closedByServer()).isTrue();
    assertThat(fx.socket().call("EXISTS", "quit:before", "quit:after")).isEqualTo(1L);
  }

  @Test
  void resetForgetsDatabaseAndName() throws Exception {
    RespSocket s = fx.socket();
    s.call("SELECT", "7");
    s.call("CLIENT", "SETNAME", "before-reset");
    s.call("SET", "reset:k", "db7");
    assertThat(s.call("RESET")).isEqualTo("RESET");
    assertThat(s.call("CLIENT", "GETNAME")).isNull();
    assertThat(s.call("GET", "reset:k")).isNull();
    assertThat(s.call("SELECT", "7")).isEqualTo("OK");
    assertThat(s.call("GET", "reset:k")).isEqualTo("db7");
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Test
  void pingEchoTimeAndSlotsHashKey() throws Exception {
    RespSocket s = fx.socket();
    assertThat(s.call("PING")).isEqualTo("PONG");
    assertThat(s.call("PING", "hi")).isEqualTo("hi");
    assertThat(s.call("ECHO", "hello world")).isEqualTo("hello world");
    Object time = s.call("TIME");
    assertThat(time).asInstanceOf(InstanceOfAssertFactories.LIST).hasSize(2);
    long seconds = Long.parseLong((String) ((List<?>) time).get(0));
    long micros = Long.parseLong((String) ((List<?>) time).get(1));
    assertThat(seconds).isCloseTo(System.currentTimeMillis() / 1000, Offset.offset(60L));
    assertThat(micros).isBetween(0L, 999_999L);
    assertThat(s.call("SLOTSHASHKEY", "foo", "{user1}:a", "a{}b")).isEqualTo(List.of(289L, 341L, 0L));
  }

  @Test
  void commandIntrospectionMatchesRedis() throws Exception {
    RespSocket s = fx.socket();
    RespSocket redis = fx.socket(reference);
    long count = (Long) s.call("COMMAND", "COUNT");
    assertThat(count).isGreaterThanOrEqualTo((Long) redis.call("COMMAND", "COUNT"));
    assertThat((List<?>) s.call("COMMAND")).hasSize((int) count);
    // name, arity, flags, first key, last key, step: what clients use COMMAND INFO for.
    List<?> ours = (List<?>) ((List<?>) s.call("COMMAND", "INFO", "get")).get(0);
    List<?> theirs = (List<?>) ((List<?>) redis.call("COMMAND", "INFO", "get")).get(0);
    assertThat(ours.subList(0, 6)).isEqualTo(theirs.subList(0, 6));
    List<?> docs = (List<?>) s.call("COMMAND", "DOCS", "get");
    assertThat(docs.get(0)).isEqualTo("get");
    List<?> fields = (List<?>) docs.get(1);
    assertThat(fields.get(fields.indexOf("since") + 1)).isEqualTo("1.0.0");
    for (String[] getkeys : List.of(
        new String[] {"COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"},
        new String[] {"COMMAND", "GETKEYS", "EVAL", "return 1", "2", "k1", "k2", "arg"},
        new String[] {"COMMAND", "GETKEYS", "ZUNIONSTORE", "dest", "2", "x", "y", "WEIGHTS", "1", "2"},
        new String[] {"COMMAND", "GETKEYS", "SORT", "src", "STORE", "dst"},
        new String[] {"COMMAND", "GETKEYS", "GET"},
        new String[] {"COMMAND", "GETKEYS", "PING"})) {
      assertThat(s.call(getkeys)).as(String.join(" ", getkeys)).isEqualTo(redis.call(getkeys));
    }
  }

  @Test
  void clientIdNameAndInfoArePerSession() throws Exception {
    RespSocket a = fx.socket();
    RespSocket b = fx.socket();
    long idA = (Long) a.call("CLIENT", "ID");
    long idB = (Long) b.call("CLIENT", "ID");
    assertThat(idA).isPositive().isNotEqualTo(idB);
    assertThat(a.call("CLIENT", "GETNAME")).isNull();
    assertThat(a.call("CLIENT", "SETNAME", "worker-a")).isEqualTo("OK");
    assertThat(a.call("CLIENT", "GETNAME")).isEqualTo("worker-a");
    assertThat(b.call("CLIENT", "GETNAME")).isNull();
    assertThat(a.call("SELECT", "6")).isEqualTo("OK");
    assertThat((String) a.call("CLIENT", "INFO")).contains("id=" + idA + " ", " name=worker-a ", " db=6 ");
    assertThat((String) b.call("CLIENT", "INFO")).contains("id=" + idB + " ", " name= ", " db=0 ");
    assertThat(a.call("CLIENT", "SETINFO", "LIB-NAME", "mylib")).isEqualTo("OK");
    assertThat((String) a.call("CLIENT", "INFO")).contains("lib-name=mylib");
  }

  @Test
  void dbsizeAndInfoKeyspaceSumEveryGroup() throws Exception {
    // Database 9 belongs to this test alone, so the counts are exact.
    RespSocket s = fx.socket();
    assertThat(s.call("SELECT", "9")).isEqualTo("OK");
    for (int i = 0; i < 40; i++) {
      assertThat(s.call("SET", "size:" + i, "v")).isEqualTo("OK");
    }
    for (int i = 0; i < 6; i++) {
      assertThat(s.call("EXPIRE", "size:" + i, "1000")).isEqualTo(1L);
    }
    long perGroupSum = 0;
    for (RedisServer m : fx.masters()) {
      Jedis direct = fx.direct(m);
      direct.select(9);
      long n = direct.dbSize();
      assertThat(n).as("keys of db 9 on %s", m).isPositive();
      perGroupSum += n;
    }
    assertThat(perGroupSum).isEqualTo(40);
    assertThat(s.call("DBSIZE")).isEqualTo(40L);
    assertThat((String) s.call("INFO", "keyspace")).contains("# Keyspace", "db9:keys=40,expires=6,");
    assertThat((String) s.call("INFO")).contains("# Server", "redis_version:", "db9:keys=40,expires=6,");
    // Another session's DBSIZE counts its own database.
    RespSocket other = fx.socket();
    assertThat(other.call("SELECT", "10")).isEqualTo("OK");
    assertThat(other.call("DBSIZE")).isEqualTo(0L);
  }
}
