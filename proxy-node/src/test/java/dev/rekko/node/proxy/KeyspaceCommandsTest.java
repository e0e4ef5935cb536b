package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The keyspace-wide commands (FLUSHDB, FLUSHALL, KEYS, RANDOMKEY, SCAN) through a node in front of three
 * groups give what one Redis gives: every test runs the same commands against a plain redis-server and
 * against the node and compares the replies (as sets where Redis's order is not defined).
 */
class KeyspaceCommandsTest {
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(3).reference().perClass();

  /** A connection to the node and one to the plain Redis, both in database {@code db}. */
  private static RespSocket[] both(int db) throws Exception {
    RespSocket[] s = {fx.socket(), fx.socket(fx.reference())};
    for (RespSocket x : s) {
      assertThat(x.call("SELECT", Integer.toString(db))).isEqualTo("OK");
    }
    return s;
  }

  /** Sends the command to both and checks they answer alike; returns the node's answer. */
  private static Object same(RespSocket[] s, String... cmd) throws Exception {
    Object rekko = s[0].call(cmd);
    Object redis = s[1].call(cmd);
    assertThat(rekko).as(String.join(" ", cmd)).isEqualTo(redis);
    return rekko;
  }

  private static Object sameSet(RespSocket[] s, String... cmd) throws Exception {
    Object rekko = s[0].call(cmd);
    Object redis = s[1].call(cmd);
    assertThat(rekko).isInstanceOf(List.class);
    assertThat(new HashSet<>((List<?>) rekko)).as(String.join(" ", cmd)).isEqualTo(new HashSet<>((List<?>) redis));
    return rekko;
  }

  private static void fill(RespSocket[] s, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      switch (i % 4) {
        case 0 -> same(s, "SET", "str:" + i, "v");
        case 1 -> same(s, "RPUSH", "list:" + i, "a", "b");
        case 2 -> same(s, "HSET", "hash:" + i, "f", "v");
        default -> same(s, "SADD", "set:" + i, "m");
      }
    }
  }

  @Test
  void flushdbAndFlushallLikeRedis() throws Exception {
    RespSocket[] s = both(2);
    fill(s, 60);
    for (int g = 1; g <= 3; g++) {
      var m = fx.direct(fx.master(g));
      m.select(2);
      assertThat(m.dbSize()).as("group %s holds some keys", g).isPositive();
    }
    same(s, "DBSIZE");
    same(s, "FLUSHDB", "NOPE");
    same(s, "FLUSHDB", "ASYNC", "SYNC");
    same(s, "FLUSHDB");
    same(s, "DBSIZE");
    same(s, "KEYS", "*");
    fill(s, 20);
    RespSocket[] other = both(3);
    fill(other, 20);
    same(s, "FLUSHDB", "sync");
    same(s, "DBSIZE");
    same(other, "DBSIZE");
    same(s, "FLUSHALL", "ASYNC");
    same(other, "DBSIZE");
    fill(other, 8);
    same(other, "FLUSHALL");
    same(other, "DBSIZE");
  }

  @Test
  void keysAndRandomkeyLikeRedis() throws Exception {
    RespSocket[] s = both(4);
    same(s, "RANDOMKEY");
    same(s, "KEYS", "*");
    fill(s, 200);
    sameSet(s, "KEYS", "*");
    sameSet(s, "KEYS", "str:*");
    sameSet(s, "KEYS", "*:1?");
    sameSet(s, "KEYS", "nothing*");
    Set<Object> all = new HashSet<>((List<?>) s[1].call("KEYS", "*"));
    for (int i = 0; i < 20; i++) {
      assertThat(all).contains(s[0].call("RANDOMKEY"));
    }
    same(s, "KEYS");
    same(s, "RANDOMKEY", "x");
  }

  @Test
  void scanReturnsEveryKeyAsRedisDoes() throws Exception {
    RespSocket[] s = both(5);
    // One call per group: an empty database takes a few calls through the node, one on Redis.
    assertThat(scanAll(s[0])).isEmpty();
    assertThat(scanAll(s[1])).isEmpty();
    fill(s, 300);
    for (String[] opts : List.of(new String[] {}, new String[] {"COUNT", "7"}, new String[] {"MATCH", "hash:*"},
        new String[] {"TYPE", "list"}, new String[] {"MATCH", "*1*", "COUNT", "50", "TYPE", "set"})) {
      assertThat(scanAll(s[0], opts)).as(String.join(" ", opts)).isEqualTo(scanAll(s[1], opts));
    }
    same(s, "SCAN", "abc");
    same(s, "SCAN", "0", "COUNT", "0");
    same(s, "SCAN", "0", "BOGUS", "1");
    assertThat(s[0].call("SCAN", "12345")).isEqualTo(new RespSocket.Err(ScanCommand.INVALID));
  }

  /** The keys of a whole SCAN iteration. */
  static Set<Object> scanAll(RespSocket s, String... opts) throws Exception {
    Set<Object> keys = new HashSet<>();
    String cursor = "0";
    int calls = 0;
    do {
      String[] cmd = new String[2 + opts.length];
      cmd[0] = "SCAN";
      cmd[1] = cursor;
      System.arraycopy(opts, 0, cmd, 2, opts.length);
      List<?> reply = (List<?>) s.call(cmd);
      cursor = (String) reply.get(0);
      keys.addAll((List<?>) reply.get(1));
      assertThat(++calls).as("SCAN ends").isLessThan(100_000);
    } while (!cursor.equals("0"));
    return keys;
  }
}
