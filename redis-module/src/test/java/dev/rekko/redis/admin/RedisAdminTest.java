package dev.rekko.redis.admin;

import static dev.rekko.redis.TestWaits.await;
import static dev.rekko.redis.TestWaits.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against real redis-server processes: a password-protected master and a replica started to follow it. */
class RedisAdminTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String PASSWORD = "s3cret";

  private static RedisServer master;
  private static RedisServer replica;

  @BeforeAll
  static void start() {
    master = RedisServer.builder().password(PASSWORD).start();
    try {
      replica = RedisServer.builder().password(PASSWORD).replicaOf(master).start();
    } catch (RuntimeException e) {
      master.close();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    if (replica != null) {
      replica.close();
    }
    if (master != null) {
      master.close();
    }
  }

  @Test
  void masterInfoVersionAndRole() throws Exception {
    try (RedisAdmin admin = RedisAdmin.connect(master.address(), "", PASSWORD, TIMEOUT)) {
      admin.ping();
      assertThat(admin.server()).isEqualTo(master.address());
      Map<String, String> server = admin.info("server");
      assertThat(server).containsEntry("tcp_port", Integer.toString(master.port()));
      assertThat(server.keySet()).noneMatch(k -> k.startsWith("#"));
      assertThat(admin.version()).isEqualTo(RedisVersion.parse(master.binary().version()));
      assertThat(admin.version().isAtLeast(RedisVersion.MINIMUM)).isTrue();
      ReplicationInfo role = admin.role();
      assertThat(role.replica()).isFalse();
      assertThat(role.masterAddress()).isEmpty();
      assertThat(admin.info("")).containsKeys("redis_version", "role");
    }
  }

  @Test
  void replicaRoleNamesItsMasterLinkAndOffset() throws Exception {
    try (LocalRedisClient m = master.client()) {
      m.ok("SET", "admin:k", "v");
    }
    try (RedisAdmin admin = RedisAdmin.connect(replica.address(), "", PASSWORD, TIMEOUT)) {
      await("replica link up and caught up", () -> {
        ReplicationInfo r = roleOf(admin);
        return r.linkUp() && r.offset() > 0;
      });
      ReplicationInfo role = admin.role();
      assertThat(role.replica()).isTrue();
      assertThat(role.follows(master.host(), master.port())).isTrue();
      assertThat(role.masterAddress()).isEqualTo(master.address());
      assertThat(role.linkStatus()).isEqualTo("up");
    }
  }

  @Test
  void replicaOfAndReplicaOfNoOne() throws Exception {
    try (RedisServer a = RedisServer.builder().password(PASSWORD).start();
        RedisServer b = RedisServer.builder().password(PASSWORD).start();
        RedisAdmin admin = RedisAdmin.connect(b.address(), "", PASSWORD, TIMEOUT)) {
      try (LocalRedisClient c = a.client()) {
        c.ok("SET", "moved", "yes");
      }
      admin.configSet("masterauth", PASSWORD);
      admin.replicaOf(a.host(), a.port());
      admin.replicaOf(a.host(), a.port()); // "OK Already connected to specified master"
      await("b follows a", () -> roleOf(admin).follows(a.host(), a.port()) && roleOf(admin).linkUp());
      try (LocalRedisClient c = b.client()) {
        await("data replicated", () -> "yes".equals(call(c, "GET", "moved")));
      }

      admin.replicaOfNoOne();
      assertThat(admin.role().replica()).isFalse();
      try (LocalRedisClient c = b.client()) {
        assertThat(c.ok("GET", "moved")).isEqualTo("yes");
        assertThat(c.ok("SET", "writable", "now")).isEqualTo("OK");
      }
    }
  }

  @Test
  void aclUserAuthenticates() throws Exception {
    try (RedisServer acl = RedisServer.builder().aclUser("rekko", "pw").start()) {
      try (RedisAdmin admin = RedisAdmin.connect(acl.address(), "rekko", "pw", TIMEOUT)) {
        admin.ping();
        assertThat(admin.call("ACL", "WHOAMI")).hasToString("BulkString[\"rekko\"]");
      }
      assertThatThrownBy(() -> RedisAdmin.connect(acl.address(), "rekko", "wrong", TIMEOUT))
          .isInstanceOfSatisfying(RedisAdminException.class, e -> {
            assertThat(e.kind()).isEqualTo(RedisAdminException.Kind.AUTH);
            assertThat(e.server()).isEqualTo(acl.address());
          })
          .hasMessageContaining("authentication to " + acl.address() + " failed");
    }
  }

  @Test
  void wrongOrMissingPasswordIsAnAuthFailureNamingTheServer() throws Exception {
    assertThatThrownBy(() -> RedisAdmin.connect(master.address(), "", "wrong", TIMEOUT))
        .isInstanceOfSatisfying(RedisAdminException.class,
            e -> assertThat(e.kind()).isEqualTo(RedisAdminException.Kind.AUTH))
        .hasMessageContaining(master.address());
    try (RedisAdmin anonymous = RedisAdmin.connect(master.address(), TIMEOUT)) {
      assertThatThrownBy(anonymous::version)
          .isInstanceOfSatisfying(RedisAdminException.class,
              e -> assertThat(e.kind()).isEqualTo(RedisAdminException.Kind.AUTH))
          .hasMessageContaining(master.address())
          .hasMessageContaining("NOAUTH");
    }
  }

  @Test
  void unreachableServerIsNamed() throws Exception {
    String nobody = "127.0.0.1:" + freePort();
    assertThatThrownBy(() -> RedisAdmin.connect(nobody, Duration.ofSeconds(2)))
        .isInstanceOfSatisfying(RedisAdminException.class,
            e -> assertThat(e.kind()).isEqualTo(RedisAdminException.Kind.UNREACHABLE))
        .hasMessageStartingWith("cannot connect to " + nobody);
  }

  @Test
  void errorRepliesAreThrownWithTheServerAndCommand() throws Exception {
    try (RedisAdmin admin = RedisAdmin.connect(master.address(), "", PASSWORD, TIMEOUT)) {
      assertThatThrownBy(() -> admin.call("NOSUCHCOMMAND"))
          .isInstanceOfSatisfying(RedisAdminException.class,
              e -> assertThat(e.kind()).isEqualTo(RedisAdminException.Kind.ERROR_REPLY))
          .hasMessageStartingWith(master.address() + ": NOSUCHCOMMAND failed: ERR unknown command");
      admin.ping(); // the connection stays usable after an error reply
    }
  }

  @Test
  void badAddressesAreRejectedBeforeConnecting() {
    for (String bad : new String[] {"nohost", "host:", ":6379", "host:notaport", "host:70000"}) {
      assertThatThrownBy(() -> RedisAdmin.connect(bad, TIMEOUT)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void parsesInfoText() {
    Map<String, String> info = RedisAdmin.parseInfo(
        "# Replication\r\nrole:slave\r\nmaster_host:10.0.0.1\r\nmaster_port:6380\r\n"
            + "master_link_status:down\r\nslave_repl_offset:42\r\n\r\n# Other\r\nodd line\r\nx:a:b\r\n");
    assertThat(info).containsEntry("role", "slave").containsEntry("x", "a:b").doesNotContainKey("odd line");
    ReplicationInfo r = ReplicationInfo.parse(info);
    assertThat(r).isEqualTo(new ReplicationInfo(true, "10.0.0.1", 6380, "down", 42));
    assertThat(r.linkUp()).isFalse();
    assertThat(ReplicationInfo.parse(Map.of("role", "master", "master_repl_offset", "7")))
        .isEqualTo(new ReplicationInfo(false, "", 0, "", 7));
    assertThatThrownBy(() -> ReplicationInfo.parse(Map.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void versionsCompareNumberByNumber() {
    assertThat(RedisVersion.parse("7.0.15")).isEqualTo(new RedisVersion(7, 0, 15));
    assertThat(RedisVersion.parse("6.2")).isEqualTo(new RedisVersion(6, 2, 0));
    assertThat(RedisVersion.parse("7.2.4-rc1")).isEqualTo(new RedisVersion(7, 2, 4));
    assertThat(RedisVersion.parse("6.0.20").isAtLeast(RedisVersion.MINIMUM)).isFalse();
    assertThat(RedisVersion.parse("6.2.0").isAtLeast(RedisVersion.MINIMUM)).isTrue();
    assertThat(RedisVersion.parse("10.0.0")).isGreaterThan(RedisVersion.parse("9.9.9"));
    assertThat(RedisVersion.parse("6.10.0")).isGreaterThan(RedisVersion.parse("6.9.0"));
    assertThat(RedisVersion.parse("7.0.15")).hasToString("7.0.15");
    assertThatThrownBy(() -> RedisVersion.parse("unstable")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedisVersion.parse("")).isInstanceOf(IllegalArgumentException.class);
  }

  private static ReplicationInfo roleOf(RedisAdmin admin) {
    try {
      return admin.role();
    } catch (RedisAdminException e) {
      throw new AssertionError(e);
    }
  }

  private static Object call(LocalRedisClient c, String... args) {
    try {
      return c.call(args);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }


}
