package dev.rekko.protocol.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.Args;
import dev.rekko.protocol.Errors;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KeyIndexesTest {

  @Test
  void fixedPositions() {
    assertThat(keys("GET", "k")).containsExactly(1);
    assertThat(keys("RENAME", "a", "b")).containsExactly(1, 2);
    assertThat(keys("LCS", "a", "b", "LEN")).containsExactly(1, 2);
    assertThat(keys("OBJECT", "ENCODING", "k")).containsExactly(2);
    assertThat(keys("MEMORY", "USAGE", "k", "SAMPLES", "5")).containsExactly(2);
    assertThat(keys("XINFO", "STREAM", "k", "FULL")).containsExactly(2);
    assertThat(keys("XGROUP", "CREATE", "k", "g", "$", "MKSTREAM")).containsExactly(2);
    assertThat(keys("PING")).isEmpty();
  }

  @Test
  void rangesWithNegativeLastKeyAndStep() {
    assertThat(keys("MGET", "a", "b", "c")).containsExactly(1, 2, 3);
    assertThat(keys("MSET", "a", "1", "b", "2")).containsExactly(1, 3);
    assertThat(keys("BLPOP", "a", "b", "0")).containsExactly(1, 2);
    assertThat(keys("SINTERSTORE", "d", "a", "b")).containsExactly(1, 2, 3);
    assertThat(keys("BITOP", "AND", "d", "a", "b")).containsExactly(2, 3, 4);
  }

  @Test
  void shardChannelsAreNotKeys() {
    assertThat(keys("SPUBLISH", "ch", "msg")).isEmpty();
  }

  @Test
  void scriptNumkeys() {
    assertThat(keys("EVAL", "s", "2", "a", "b", "arg")).containsExactly(3, 4);
    assertThat(keys("EVALSHA_RO", "sha", "1", "a")).containsExactly(3);
    assertThat(keys("EVAL", "s", "0", "arg")).isEmpty();
    assertThat(error("EVAL", "s", "x", "a")).isEqualTo(Errors.NOT_AN_INTEGER);
    assertThat(error("EVAL", "s", "99999999999999999999", "a")).isEqualTo(Errors.NOT_AN_INTEGER);
    assertThat(error("EVAL", "s", "-1", "a")).isEqualTo("ERR Number of keys can't be negative");
    assertThat(error("EVAL", "s", "3", "a", "b")).isEqualTo(
        "ERR Number of keys can't be greater than number of args");
    assertThat(keys("FCALL", "f", "1", "a", "arg")).containsExactly(3);
    assertThat(error("FCALL_RO", "f", "one", "a")).isEqualTo("ERR Bad number of keys provided");
  }

  @Test
  void sortedSetNumkeys() {
    assertThat(keys("ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2")).containsExactly(1, 3, 4);
    assertThat(keys("ZINTER", "2", "a", "b", "WITHSCORES")).containsExactly(2, 3);
    assertThat(keys("ZDIFF", "1", "a")).containsExactly(2);
    assertThat(keys("ZINTERCARD", "2", "a", "b", "LIMIT", "3")).containsExactly(2, 3);
    assertThat(error("ZUNIONSTORE", "d", "0", "a")).isEqualTo(
        "ERR at least 1 input key is needed for 'zunionstore' command");
    assertThat(error("ZDIFF", "-2", "a")).isEqualTo("ERR at least 1 input key is needed for 'zdiff' command");
    assertThat(error("ZINTERSTORE", "d", "3", "a", "b")).isEqualTo(Errors.SYNTAX);
    assertThat(error("ZUNION", "01", "a")).isEqualTo(Errors.NOT_AN_INTEGER);
  }

  @Test
  void setAndListNumkeys() {
    assertThat(keys("SINTERCARD", "2", "a", "b", "LIMIT", "1")).containsExactly(2, 3);
    assertThat(error("SINTERCARD", "0", "a")).isEqualTo("ERR numkeys should be greater than 0");
    assertThat(error("SINTERCARD", "3", "a", "b")).isEqualTo(
        "ERR Number of keys can't be greater than number of args");
    assertThat(keys("LMPOP", "2", "a", "b", "LEFT", "COUNT", "2")).containsExactly(2, 3);
    assertThat(keys("ZMPOP", "1", "a", "MIN")).containsExactly(2);
    assertThat(keys("BLMPOP", "0", "2", "a", "b", "RIGHT")).containsExactly(3, 4);
    assertThat(keys("BZMPOP", "0.5", "1", "a", "MAX")).containsExactly(3);
    // The keys may not swallow the direction that must follow them.
    assertThat(error("LMPOP", "2", "a", "b")).isEqualTo(Errors.SYNTAX);
    assertThat(error("ZMPOP", "x", "a", "MIN")).isEqualTo("ERR numkeys should be greater than 0");
  }

  @Test
  void xreadKeysAreTheFirstHalfAfterStreams() {
    assertThat(keys("XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "0")).containsExactly(4, 5);
    assertThat(keys("XREAD", "streams", "streams", "0")).containsExactly(2);
    assertThat(keys("XREADGROUP", "GROUP", "streams", "c", "STREAMS", "a", "0")).containsExactly(5);
    assertThat(keys("XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "s1", "s2", ">", ">"))
        .containsExactly(6, 7);
    assertThat(error("XREAD", "STREAMS", "a", "b", "c")).isEqualTo(Errors.XREAD_UNBALANCED);
    assertThat(error("XREAD", "COUNT", "1", "a", "b")).isEqualTo(Errors.SYNTAX);
    assertThat(error("XREAD", "COUNT", "1", "STREAMS")).isEqualTo(Errors.SYNTAX);
  }

  @Test
  void sortStoreIsAKeyPatternsAreNot() {
    assertThat(keys("SORT", "k")).containsExactly(1);
    assertThat(keys("SORT", "k", "STORE", "d")).containsExactly(1, 3);
    assertThat(keys("SORT", "k", "LIMIT", "0", "10", "ALPHA", "store", "d")).containsExactly(1, 7);
    assertThat(keys("SORT", "k", "STORE", "d1", "STORE", "d2")).containsExactly(1, 5);
    assertThat(keys("SORT", "k", "GET", "store", "DESC")).containsExactly(1);
    assertThat(keys("SORT", "k", "BY", "w_*", "GET", "#")).containsExactly(1);
    assertThat(keys("SORT_RO", "k", "BY", "nosort")).containsExactly(1);
  }

  @Test
  void migrateKeysOption() {
    assertThat(keys("MIGRATE", "h", "6379", "k", "0", "1000")).containsExactly(3);
    assertThat(keys("MIGRATE", "h", "6379", "", "0", "1000", "KEYS", "a", "b")).containsExactly(7, 8);
    assertThat(keys("MIGRATE", "h", "6379", "", "0", "1000", "COPY", "AUTH", "keys", "KEYS", "a"))
        .containsExactly(10);
    assertThat(keys("MIGRATE", "h", "6379", "", "0", "1000", "AUTH2", "u", "keys", "KEYS", "a"))
        .containsExactly(10);
    // KEYS with a non-empty key argument is an error in Redis; no keys then.
    assertThat(keys("MIGRATE", "h", "6379", "k", "0", "1000", "KEYS", "a")).isEmpty();
  }

  @Test
  void georadiusStoreOptions() {
    assertThat(keys("GEORADIUS", "k", "0", "0", "1", "km", "STORE", "d")).containsExactly(1, 7);
    assertThat(keys("GEORADIUS", "k", "0", "0", "1", "km", "ASC", "STOREDIST", "d")).containsExactly(1, 8);
    assertThat(keys("GEORADIUSBYMEMBER", "k", "m", "1", "km", "STORE", "d")).containsExactly(1, 6);
    assertThat(keys("GEORADIUS", "k", "0", "0", "1", "km", "WITHDIST")).containsExactly(1);
  }

  @Test
  void reportsTheCountEvenWhenTheArrayIsTooSmall() {
    Args args = Args.of("MGET", "a", "b", "c");
    int[] out = new int[2];
    assertThat(CommandTable.lookup(args).keyIndexes(args, out)).isEqualTo(3);
    assertThat(out).containsExactly(1, 2);
  }

  @Test
  void parsesIntegersLikeRedis() {
    assertThat(integer("0")).isTrue();
    assertThat(integer("-12")).isTrue();
    assertThat(integer("9223372036854775807")).isTrue();
    assertThat(integer("-9223372036854775808")).isTrue();
    assertThat(integer("9223372036854775808")).isFalse();
    assertThat(integer("-9223372036854775809")).isFalse();
    for (String bad : new String[] {"", "-", "-0", "01", "+1", " 1", "1 ", "1x", "0x1"}) {
      assertThat(integer(bad)).as(bad).isFalse();
    }
    assertThat(KeyFinder.parseLong(Args.of("-9223372036854775808"), 0)).isEqualTo(Long.MIN_VALUE);
    assertThat(KeyFinder.parseLong(Args.of("42"), 0)).isEqualTo(42);
  }

  @Test
  void errorCodesRoundTrip() {
    for (KeyError e : KeyError.values()) {
      assertThat(e.code()).isNegative();
      assertThat(KeyError.ofCode(e.code())).isEqualTo(e);
    }
  }

  private static boolean integer(String s) {
    return KeyFinder.isInteger(Args.of(s), 0);
  }

  static int[] keys(String... argv) {
    Args args = Args.of(argv);
    int[] out = new int[argv.length];
    int n = CommandTable.lookup(args).keyIndexes(args, out);
    assertThat(n).as("key count of %s", Arrays.toString(argv)).isNotNegative();
    return Arrays.copyOf(out, n);
  }

  private static String error(String... argv) {
    Args args = Args.of(argv);
    CommandSpec spec = CommandTable.lookup(args);
    int n = spec.keyIndexes(args, new int[argv.length]);
    assertThat(n).as("result of %s", Arrays.toString(argv)).isNegative();
    return spec.keyError(n);
  }
}
