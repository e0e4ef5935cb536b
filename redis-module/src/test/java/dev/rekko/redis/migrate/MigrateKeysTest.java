package dev.rekko.redis.migrate;

import static org.assertj.core.api.Assertions.assertThat;

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
    assertThat(encoded(MigrateKeys.replacing(TARGET, 3, 5000, Credentials.NONE))).isEqualTo(resp(
        "*10", "$7", "MIGRATE", "$8", "10.0.0.7", "$4", "6380", "$0", "", "$1", "3", "$4", "5000",
        "$7", "REPLACE", "$4", "KEYS", "$2", "k1", "$5", "{t}k2"));
  }

  @Test
  void aPasswordAloneLogsInAsTheDefaultUserWithAuth() {
    assertThat(encoded(MigrateKeys.replacing(TARGET, 0, 250, Credentials.password("s3cret")))).isEqualTo(resp(
        "*12", "$7", "MIGRATE", "$8", "10.0.0.7", "$4", "6380", "$0", "", "$1", "0", "$3", "250",
        "$7", "REPLACE", "$4", "AUTH", "$6", "s3cret", "$4", "KEYS", "$2", "k1", "$5", "{t}k2"));
  }

  @Test
  void anAclUserLogsInWithAuth2() {
    assertThat(encoded(MigrateKeys.replacing(TARGET, 15, 250, new Credentials("mover", "pw")))).isEqualTo(resp(
        "*13", "$7", "MIGRATE", "$8", "10.0.0.7", "$4", "6380", "$0", "", "$2", "15", "$3", "250",
        "$7", "REPLACE", "$5", "AUTH2", "$5", "mover", "$2", "pw", "$4", "KEYS", "$2", "k1", "$5", "{t}k2"));
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
    byte[][] argv = MigrateKeys.replacing(TARGET, 0, 1, Credentials.NONE).argv(KEYS);
    assertThat(argv[argv.length - 2]).isSameAs(KEYS.get(0));
    assertThat(argv[argv.length - 1]).isSameAs(KEYS.get(1));
  }

  @Test
  void theToStringKeepsThePasswordOut() {
    assertThat(MigrateKeys.replacing(TARGET, 0, 1, new Credentials("mover", "s3cret")).toString())
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
      migrate(s, MigrateKeys.replacing(address(byUser), 0, 5000, new Credentials("mover", "pw2")), "a", "b");
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
