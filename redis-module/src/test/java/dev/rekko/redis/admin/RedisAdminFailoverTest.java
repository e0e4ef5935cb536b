package dev.rekko.redis.admin;

import static dev.rekko.redis.TestWaits.await;
import static dev.rekko.redis.TestWaits.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.protocol.resp.RespValue;
import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.RedisBinary;
import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The admin calls a failover uses (CLIENT PAUSE, FAILOVER, CONFIG GET/REWRITE), against real servers. */
class RedisAdminFailoverTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String PASSWORD = "pw";

  @Test
  void pauseWriteHoldsWritesUntilUnpause() throws Exception {
    try (RedisServer server = RedisServer.builder().password(PASSWORD).start();
        RedisAdmin admin = RedisAdmin.connect(server.address(), "", PASSWORD, TIMEOUT);
        LocalRedisClient reader = server.client();
        LocalRedisClient writer = new LocalRedisClient(server.host(), server.port(), 300)) {
      writer.ok("AUTH", PASSWORD);
      admin.clientPauseWrite(60_000);
      assertThatThrownBy(() -> writer.call("SET", "held", "v")).isInstanceOf(SocketTimeoutException.class);
      assertThat(reader.call("GET", "held")).as("reads go on; the write waits").isNull();
      admin.clientUnpause();
      await("the held write ran", () -> "v".equals(call(reader, "GET", "held")));
    }
  }

  @Test
  void failoverToPromotesTheReplica() throws Exception {
    try (RedisServer master = RedisServer.builder().password(PASSWORD).config("repl-diskless-sync-delay 0").start();
        RedisServer replica = RedisServer.builder().password(PASSWORD).replicaOf(master).start();
        RedisAdmin m = RedisAdmin.connect(master.address(), "", PASSWORD, TIMEOUT);
        RedisAdmin r = RedisAdmin.connect(replica.address(), "", PASSWORD, TIMEOUT)) {
      m.call("SET", "kept", "yes");
      await("replica linked", () -> role(r).linkUp());
      // FAILOVER asks the master's view: the replica counts once the master lists it online, which can
      // come a moment after the replica sees its link up.
      await("the master lists the replica online", () -> replicationInfo(m).contains("state=online"));
      m.configSet("masterauth", PASSWORD); // the old master follows the new one afterwards
      m.failoverTo(replica.host(), replica.port(), 5_000);
      await("the replica promoted", () -> roleName(r).equals("master"));
      await("the old master follows it", () -> role(m).follows(replica.host(), replica.port()));
      assertThat(((RespValue.BulkString) r.call("GET", "kept")).utf8()).isEqualTo("yes");
      assertThatThrownBy(() -> r.failoverTo(master.host(), 1, 1_000))
          .isInstanceOfSatisfying(RedisAdminException.class,
              e -> assertThat(e.kind()).isEqualTo(RedisAdminException.Kind.ERROR_REPLY))
          .hasMessageContaining("FAILOVER failed");
    }
  }

  @Test
  void configGetAndRewrite() throws Exception {
    try (RedisServer server = RedisServer.builder().password(PASSWORD).start();
        RedisAdmin admin = RedisAdmin.connect(server.address(), "", PASSWORD, TIMEOUT)) {
      admin.configSet("replica-priority", "7");
      assertThat(admin.configGet("replica-priority")).contains("7");
      assertThat(admin.configGet("no-such-parameter")).isEmpty();
      assertThat(admin.configRewrite()).as("the launcher writes a config file").isTrue();
    }
  }

  @Test
  void configRewriteWithoutAConfigFileIsFalse() throws Exception {
    int port = freePort();
    Process redis = new ProcessBuilder(RedisBinary.resolve().path().toString(), "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      await("redis-server up", () -> {
        try (RedisAdmin admin = RedisAdmin.connect("127.0.0.1:" + port, TIMEOUT)) {
          admin.ping();
          return true;
        } catch (RedisAdminException e) {
          return false;
        }
      });
      try (RedisAdmin admin = RedisAdmin.connect("127.0.0.1:" + port, TIMEOUT)) {
        assertThat(admin.configRewrite()).isFalse();
      }
    } finally {
      redis.destroyForcibly();
      redis.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String replicationInfo(RedisAdmin admin) {
    try {
      return ((RespValue.BulkString) admin.call("INFO", "replication")).utf8();
    } catch (RedisAdminException e) {
      throw new AssertionError(e);
    }
  }

  private static ReplicationInfo role(RedisAdmin admin) {
    try {
      return admin.role();
    } catch (RedisAdminException e) {
      throw new AssertionError(e);
    }
  }

  /** The first element of {@code ROLE}. */
  private static String roleName(RedisAdmin admin) {
    try {
      RespValue.Array reply = (RespValue.Array) admin.call("ROLE");
      return ((RespValue.BulkString) reply.elements().get(0)).utf8();
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
