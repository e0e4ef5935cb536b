package dev.rekko.redis.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.resp.RespValue;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.launcher.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The one {@code MIGRATE … KEYS} builder, byte for byte in each login form, and run by a real source
 * against real targets that demand those logins.
 */
class MigrateKeysTest {
  private static final BackendAddress TARGET = new BackendAddress("10.0.0.7", 6380);
  private static final List<byte[]> KEYS = List.of(bytes("k1"), bytes("{t}k2"));

  @Test
  void withoutAPasswordNoLoginIsSent() {
    assertThat(encoded(MigrateKeys.moving(TARGET, 3, 5000, Credentials.NONE))).isEqualTo(resp(
        "*9", "$7", "MIGRATE", "$8", "10.0.0.7", "$4", "6380", "$0", "", "$1", "3", "$4", "5000",
        "$4", "KEYS", "$2", "k1", "$5", "{t}k2"));
  }

  @Test
  void aPasswordAloneLogsInAsTheDefaultUserWithAuth() {
    assertThat(encoded(MigrateKeys.moving(TARGET, 0, 250, Credentials.password("s3cret")))).isEqualTo(resp(
        "*11", "$7", "MIGRATE", "$8", "10.0.0.7", "$4", "6380", "$0", "", "$1", "0", "$3", "250",
        "$4", "AUTH", "$6", "s3cret", "$4", "KEYS", "$2", "k1", "$5", "{t}k2"));
  }

  @Test
  void anAclUserLogsInWithAuth2() {
    assertThat(encoded(MigrateKeys.moving(TARGET, 15, 250, new Credentials("mover", "pw")))).isEqualTo(resp(
        "*12", "$7", "MIGRATE", "$8", "10.0.0.7", "$4", "6380", "$0", "", "$2", "15", "$3", "250",
        "$5", "AUTH2", "$5", "mover", "$2", "pw", "$4", "KEYS", "$2", "k1", "$5", "{t}k2"));
  }

  @Test
  void copyAndReplaceComeBeforeTheLoginEachOnlyWhenAsked() {
    MigrateKeys both = new MigrateKeys(TARGET, 1, 100, true, true, Credentials.password("pw"));
    assertThat(strings(both.argv(KEYS))).containsExactly("MIGRATE", "10.0.0.7", "6380", "", "1", "100", "COPY",
        "REPLACE", "AUTH", "pw", "KEYS", "k1", "{t}k2");
    MigrateKeys copy = new MigrateKeys(TARGET, 1, 100, true, false, Credentials.NONE);
    assertThat(strings(copy.argv(KEYS))).containsExactly("MIGRATE", "10.0.0.7", "6380", "", "1", "100", "COPY",
        "KEYS", "k1", "{t}k2");
    MigrateKeys neither = new MigrateKeys(TARGET, 1, 100, false, false, Credentials.NONE);
    assertThat(strings(neither.argv(KEYS))).containsExactly("MIGRATE", "10.0.0.7", "6380", "", "1", "100",
        "KEYS", "k1", "{t}k2");
  }

  @Test
  void theKeysAreTheCallersBytes() {
    byte[][] argv = MigrateKeys.moving(TARGET, 0, 1, Credentials.NONE).argv(KEYS);
    assertThat(argv[argv.length - 2]).isSameAs(KEYS.get(0));
    assertThat(argv[argv.length - 1]).isSameAs(KEYS.get(1));
  }

  @Test
  void theToStringKeepsThePasswordOut() {
    assertThat(MigrateKeys.moving(TARGET, 0, 1, new Credentials("mover", "s3cret")).toString())
        .doesNotContain("s3cret");
  }

  @Test
  void aRealSourceMovesTheKeysToTargetsThatDemandEachLogin() {
    try (RedisServer source = RedisServer.builder().start();
        RedisServer byPassword = RedisServer.builder().password("pw").start();
        RedisServer byUser = RedisServer.builder().aclUser("mover", "pw2").start();
        Jedis s = new Jedis(source.host(), source.port())) {
      s.set("a", "1");
      s.set("b", "2");
      migrate(s, new MigrateKeys(address(byPassword), 0, 5000, true, false, Credentials.password("pw")), "a");
      assertThat(s.exists("a")).as("COPY left it").isTrue();
      migrate(s, MigrateKeys.moving(address(byUser), 0, 5000, new Credentials("mover", "pw2")), "a", "b");
      assertThat(s.exists("a", "b")).isZero();
      try (Jedis t = new Jedis(byPassword.host(), byPassword.port())) {
        t.auth("pw");
        assertThat(t.get("a")).isEqualTo("1");
      }
      try (Jedis t = new Jedis(byUser.host(), byUser.port())) {
        t.auth("mover", "pw2");
        assertThat(t.get("a")).isEqualTo("1");
        assertThat(t.get("b")).isEqualTo("2");
      }
    }
  }

  /**
   * The move never writes over a key the target holds: Redis answers BUSYKEY for it, keeps it on the
   * source, and still moves the other keys of the same MIGRATE.
   */
  @Test
  void aKeyTheTargetHoldsIsNotWrittenOverAndStaysOnTheSourceWhileTheOthersMove() {
    try (RedisServer source = RedisServer.builder().start();
        RedisServer target = RedisServer.builder().start();
        Jedis s = new Jedis(source.host(), source.port());
        Jedis t = new Jedis(target.host(), target.port())) {
      s.mset("a", "1", "b", "stale", "c", "3");
      t.set("b", "newer");
      byte[][] argv = MigrateKeys.moving(address(target), 0, 5000, Credentials.NONE)
          .argv(List.of(bytes("a"), bytes("b"), bytes("c")));
      RespValue reply;
      try {
        source(s, argv);
        throw new AssertionError("MIGRATE moved a key the target held");
      } catch (redis.clients.jedis.exceptions.JedisDataException e) {
        reply = new RespValue.Error(e.getMessage());
      }
      assertThat(MigrateReplies.classify(reply)).isEqualTo(MigrateReplies.Kind.BUSY_KEY);
      assertThat(MigrateReplies.busyKey(new RespValue.Error("BUSYKEY Target key name already exists."))).isTrue();
      assertThat(MigrateReplies.classify(new RespValue.Error("BUSY Redis is busy running a script.")))
          .isEqualTo(MigrateReplies.Kind.RETRY);
      assertThat(t.mget("a", "b", "c")).containsExactly("1", "newer", "3");
      assertThat(s.keys("*")).containsExactly("b");
    }
  }

  private static Object source(Jedis source, byte[][] argv) {
    return source.sendCommand(() -> argv[0], Arrays.copyOfRange(argv, 1, argv.length));
  }

  private static void migrate(Jedis source, MigrateKeys migrate, String... keys) {
    byte[][] argv = migrate.argv(Arrays.stream(keys).map(MigrateKeysTest::bytes).toList());
    Object reply = source.sendCommand(() -> argv[0], Arrays.copyOfRange(argv, 1, argv.length));
    assertThat(new String((byte[]) reply, StandardCharsets.UTF_8)).isEqualTo("OK");
  }

  private static BackendAddress address(RedisServer server) {
    return new BackendAddress(server.host(), server.port());
  }

  private static String encoded(MigrateKeys migrate) {
    return new String(migrate.encode(KEYS), StandardCharsets.UTF_8);
  }

  private static String resp(String... lines) {
    return String.join("\r\n", lines) + "\r\n";
  }

  private static List<String> strings(byte[][] argv) {
    return Arrays.stream(argv).map(a -> new String(a, StandardCharsets.UTF_8)).toList();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
