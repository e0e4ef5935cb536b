package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.Errors;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.launcher.RedisServer;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * MULTI/EXEC/DISCARD/WATCH/UNWATCH through a node, compared with a direct redis-server given the same
 * commands (two clients each, for WATCH), plus what only a cluster has: CROSSSLOT inside a transaction,
 * commands a transaction through Rekko cannot carry, and the WATCH's dedicated connection going back.
 */
class TransactionTest {
  private static ProxyFixture fx;
  private static RedisServer reference;

  @BeforeAll
  static void start() throws Exception {
    fx = ProxyFixture.builder().groups(2).start();
    reference = RedisServer.builder().start();
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
    if (reference != null) {
      reference.close();
    }
  }

  /** A sequence of commands by two clients, {@code a} and {@code b}; returns every reply in order. */
  private interface Scenario {
    List<Object> run(RespSocket a, RespSocket b) throws IOException;
  }

  private static void sameAsRedis(Scenario scenario) throws IOException {
    List<Object> direct = scenario.run(fx.socket(reference), fx.socket(reference));
    List<Object> rekko = scenario.run(fx.socket(), fx.socket());
    assertThat(rekko).isEqualTo(direct);
  }

  private static List<Object> calls(RespSocket s, String[]... commands) throws IOException {
    List<Object> replies = new ArrayList<>();
    for (String[] c : commands) {
      replies.add(s.call(c));
    }
    return replies;
  }

  /** All commands in one write, then all replies: state errors must hold under pipelining too. */
  private static List<Object> pipelined(RespSocket s, String[]... commands) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    for (String[] c : commands) {
      RespSocket.appendCommand(buf, c);
    }
    s.write(buf.toByteArray());
    List<Object> replies = new ArrayList<>();
    for (int i = 0; i < commands.length; i++) {
      replies.add(s.read());
    }
    return replies;
  }

  private static String[] c(String... args) {
    return args;
  }

  @Test
  void multiExecRunsTheQueuedCommands() throws Exception {
    sameAsRedis((a, b) -> calls(a, c("DEL", "{t1}a", "{t1}b"), c("MULTI"), c("INCR", "{t1}a"),
        c("SET", "{t1}b", "x"), c("GET", "{t1}b"), c("MGET", "{t1}a", "{t1}b"), c("EXEC"), c("GET", "{t1}a"),
        c("MULTI"), c("EXEC"), c("MULTI"), c("SET", "{t1}a", "s"), c("LPUSH", "{t1}a", "y"), c("GET", "{t1}a"),
        c("EXEC"), c("MULTI"), c("PING"), c("ECHO", "e"), c("EVAL", "return 1", "5"), c("EXEC")));
  }

  @Test
  void queueTimeErrorsAbortTheTransaction() throws Exception {
    sameAsRedis((a, b) -> calls(a, c("DEL", "{t2}a"), c("MULTI"), c("SET", "{t2}a", "1"), c("NOSUCHCOMMAND", "x"),
        c("EXEC"), c("GET", "{t2}a"), c("MULTI"), c("SET", "{t2}a", "2"), c("GET"), c("EXEC"), c("GET", "{t2}a"),
        c("MULTI"), c("CLIENT", "NOSUCHSUB"), c("EXEC")));
  }

  @Test
  void stateErrorsAsRedisAnswersThemAlsoPipelined() throws Exception {
    String[][] commands = {c("EXEC"), c("DISCARD"), c("MULTI"), c("MULTI"), c("SET", "{t3}a", "1"),
        c("WATCH", "{t3}a"), c("EXEC"), c("MULTI"), c("SET", "{t3}a", "2"), c("DISCARD"), c("GET", "{t3}a"),
        c("DISCARD"), c("MULTI"), c("RESET"), c("EXEC"), c("UNWATCH")};
    sameAsRedis((a, b) -> calls(a, commands));
    sameAsRedis((a, b) -> pipelined(a, commands));
  }

  @Test
  void watchedKeyWrittenByAnotherClientGivesNilExec() throws Exception {
    sameAsRedis((a, b) -> {
      List<Object> r = calls(a, c("SET", "{t4}a", "1"), c("WATCH", "{t4}a"), c("GET", "{t4}a"));
      r.add(b.call("SET", "{t4}a", "2"));
      r.addAll(calls(a, c("MULTI"), c("INCR", "{t4}a"), c("EXEC"), c("GET", "{t4}a")));
      // Not watched any more after EXEC.
      r.add(b.call("SET", "{t4}a", "3"));
      r.addAll(calls(a, c("MULTI"), c("INCR", "{t4}a"), c("EXEC")));
      return r;
    });
  }

  @Test
  void watchWithoutAWriteExecutesAndUnwatchForgets() throws Exception {
    sameAsRedis((a, b) -> {
      List<Object> r = calls(a, c("SET", "{t5}a", "1"), c("WATCH", "{t5}a", "{t5}b"), c("MULTI"),
          c("INCR", "{t5}a"), c("EXEC"));
      r.addAll(calls(a, c("WATCH", "{t5}a"), c("UNWATCH")));
      r.add(b.call("SET", "{t5}a", "5"));
      r.addAll(calls(a, c("MULTI"), c("INCR", "{t5}a"), c("EXEC")));
      r.addAll(calls(a, c("WATCH", "{t5}a"), c("MULTI"), c("DISCARD")));
      r.add(b.call("SET", "{t5}a", "7"));
      r.addAll(calls(a, c("MULTI"), c("INCR", "{t5}a"), c("EXEC")));
      // Watching again after a write of one's own inside the round: the next EXEC is nil.
      r.addAll(calls(a, c("WATCH", "{t5}a"), c("SET", "{t5}a", "9"), c("MULTI"), c("GET", "{t5}a"), c("EXEC")));
      // A watched key the client itself wrote, pipelined from WATCH to EXEC.
      r.addAll(pipelined(a, c("WATCH", "{t5}a"), c("INCR", "{t5}a"), c("MULTI"), c("GET", "{t5}a"), c("EXEC"),
          c("UNWATCH")));
      return r;
    });
  }

  @Test
  void keysOfAnotherSlotAbortTheTransaction() throws Exception {
    RespSocket s = fx.socket();
    assertThat(s.call("MULTI")).isEqualTo("OK");
    assertThat(s.call("SET", "{t6}a", "1")).isEqualTo("QUEUED");
    assertThat(s.call("SET", "{other}a", "1")).isEqualTo(new RespSocket.Err(Errors.CROSSSLOT));
    assertThat(s.call("MGET", "{t6}a", "{x}b")).isEqualTo(new RespSocket.Err(Errors.CROSSSLOT));
    assertThat(s.call("EXEC")).isEqualTo(new RespSocket.Err(Transaction.EXECABORT));
    assertThat(s.call("GET", "{t6}a")).isNull();

    assertThat(s.call("WATCH", "{t6}a", "{other}a")).isEqualTo(new RespSocket.Err(Errors.CROSSSLOT));
    assertThat(s.call("WATCH", "{t6}a")).isEqualTo("OK");
    assertThat(s.call("WATCH", "{other}a")).isEqualTo(new RespSocket.Err(Errors.CROSSSLOT));
    assertThat(s.call("MULTI")).isEqualTo("OK");
    assertThat(s.call("INCR", "{other}a")).isEqualTo(new RespSocket.Err(Errors.CROSSSLOT));
    assertThat(s.call("EXEC")).isEqualTo(new RespSocket.Err(Transaction.EXECABORT));
    assertThat(s.call("GET", "{other}a")).isNull();
  }

  @Test
  void commandsATransactionCannotCarryAbortIt() throws Exception {
    RespSocket s = fx.socket();
    for (String[] refused : List.of(c("KEYS", "*"), c("SELECT", "1"), c("CLIENT", "SETNAME", "x"), c("DBSIZE"),
        c("SUBSCRIBE", "ch"), c("CONFIG", "GET", "x"))) {
      assertThat(s.call("MULTI")).isEqualTo("OK");
      assertThat(s.call("SET", "{t7}a", "1")).isEqualTo("QUEUED");
      assertThat(s.call(refused)).as(refused[0]).isInstanceOf(RespSocket.Err.class);
      assertThat(s.call("EXEC")).isEqualTo(new RespSocket.Err(Transaction.EXECABORT));
    }
    assertThat(s.call("MULTI")).isEqualTo("OK");
    assertThat(s.call("KEYS", "*")).isEqualTo(new RespSocket.Err(
        "ERR command 'KEYS' is not allowed inside a transaction through Rekko"));
    assertThat(s.call("DISCARD")).isEqualTo("OK");
    assertThat(s.call("GET", "{t7}a")).isNull();
    assertThat(s.call("MULTI")).isEqualTo("OK");
    assertThat(s.call("TIME")).isEqualTo("QUEUED");
    assertThat((List<?>) s.call("EXEC")).hasSize(1);
  }

  @Test
  void theWatchConnectionGoesBack() throws Exception {
    String key = "{t8}a";
    BackendAddress master = BackendAddress.parse(fx.masterOf(key).address());
    var pool = fx.node().context().pool();
    RespSocket s = fx.socket();
    for (String[][] end : List.of(new String[][] {c("MULTI"), c("EXEC")}, new String[][] {c("UNWATCH")},
        new String[][] {c("MULTI"), c("DISCARD")}, new String[][] {c("RESET")})) {
      assertThat(s.call("WATCH", key)).isEqualTo("OK");
      assertThat(pool.dedicatedTo(master)).hasSize(1);
      calls(s, end);
      assertThat(pool.dedicatedTo(master)).as(end[end.length - 1][0]).isEmpty();
    }
    assertThat(s.call("WATCH", key)).isEqualTo("OK");
    assertThat(pool.dedicatedTo(master)).hasSize(1);
    s.close();
    assertThat(ProxyFixture.await(Duration.ofSeconds(10), () -> pool.dedicatedTo(master).isEmpty())).isTrue();
  }

  @Test
  void jedisAndLettuceTransactions() throws Exception {
    try (Jedis jedis = fx.jedis()) {
      jedis.del("{t9}a");
      redis.clients.jedis.Transaction t = jedis.multi();
      t.incr("{t9}a");
      t.incrBy("{t9}a", 10);
      t.get("{t9}a");
      assertThat(t.exec()).containsExactly(1L, 11L, "11");

      jedis.watch("{t9}a");
      try (Jedis other = fx.jedis()) {
        other.set("{t9}a", "0");
      }
      redis.clients.jedis.Transaction aborted = jedis.multi();
      aborted.incr("{t9}a");
      assertThat(aborted.exec()).isNull();
    }
    try (StatefulRedisConnection<String, String> c = fx.lettuce(fx.node(), b -> { }).connect()) {
      RedisCommands<String, String> sync = c.sync();
      sync.del("{t9}b");
      assertThat(sync.multi()).isEqualTo("OK");
      sync.incr("{t9}b");
      sync.set("{t9}c", "v");
      TransactionResult result = sync.exec();
      assertThat(result.wasDiscarded()).isFalse();
      assertThat(result.<Object>get(0)).isEqualTo(1L);
      assertThat(result.<Object>get(1)).isEqualTo("OK");
      sync.watch("{t9}b");
      fx.jedis().set("{t9}b", "5");
      sync.multi();
      sync.incr("{t9}b");
      assertThat(sync.exec().wasDiscarded()).isTrue();
    }
  }
}
