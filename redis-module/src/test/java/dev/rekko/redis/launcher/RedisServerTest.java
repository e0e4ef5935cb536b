package dev.rekko.redis.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

class RedisServerTest {

  @Test
  void bundledBinaryIsTheDefaultAndServes() throws Exception {
    RedisBinary binary = RedisBinary.resolve();
    assertThat(binary.source()).isEqualTo("bundled");
    assertThat(binary.version()).isEqualTo(RedisBinary.BUNDLED_VERSION);

    Path dir;
    long pid;
    try (RedisServer server = RedisServer.builder().start(); Jedis jedis = jedis(server)) {
      assertThat(server.host()).isEqualTo("127.0.0.1");
      assertThat(jedis.ping()).isEqualTo("PONG");
      assertThat(jedis.info("server")).contains("redis_version:7.0.15");
      jedis.set("k", "v");
      assertThat(jedis.get("k")).isEqualTo("v");
      dir = server.dataDir();
      pid = server.pid();
      assertThat(ProcessHandle.of(pid)).isPresent();
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
    assertThat(dir).doesNotExist();
  }

  @Test
  void explicitBinaryFromPropertyOrEnvironmentWins(@TempDir Path tmp) throws Exception {
    Path copy = tmp.resolve("my-redis-server");
    Files.copy(RedisBinary.resolve().path(), copy);
    assertThat(copy.toFile().setExecutable(true)).isTrue();

    RedisBinary fromProperty = RedisBinary.resolveNow(copy.toString(), null);
    RedisBinary fromEnv = RedisBinary.resolveNow(null, copy.toString());
    assertThat(fromProperty.path()).isEqualTo(copy);
    assertThat(fromProperty.source()).isEqualTo("setting");
    assertThat(fromEnv.path()).isEqualTo(copy);

    try (RedisServer server = RedisServer.builder().binary(fromProperty).start(); Jedis jedis = jedis(server)) {
      assertThat(jedis.ping()).isEqualTo("PONG");
      long pid = server.pid();
      String command = ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("");
      assertThat(command).endsWith("my-redis-server");
    }
  }

  @Test
  void explicitBinaryThatDoesNotExistIsAClearError() {
    assertThatThrownBy(() -> RedisBinary.resolveNow("/nonexistent/redis-server", null))
        .hasMessageContaining("/nonexistent/redis-server")
        .hasMessageContaining("not executable");
  }

  @Test
  void passwordAndAclUser() {
    try (RedisServer server = RedisServer.builder().password("s3cret").start()) {
      try (Jedis anonymous = new Jedis(server.host(), server.port())) {
        assertThatThrownBy(anonymous::ping).isInstanceOf(JedisDataException.class).hasMessageContaining("NOAUTH");
      }
      try (Jedis jedis = jedis(server)) {
        assertThat(jedis.ping()).isEqualTo("PONG");
      }
    }
    try (RedisServer server = RedisServer.builder().aclUser("rekko", "pw").start()) {
      try (Jedis jedis = new Jedis(new HostAndPort(server.host(), server.port()),
          DefaultJedisClientConfig.builder().user("rekko").password("pw").autoNegotiateProtocol(false).build())) {
        assertThat(jedis.aclWhoAmI()).isEqualTo("rekko");
      }
      try (Jedis anonymous = new Jedis(server.host(), server.port())) {
        assertThatThrownBy(anonymous::ping).isInstanceOf(JedisDataException.class);
      }
    }
  }

  @Test
  void replicaFollowsItsMaster() throws Exception {
    try (RedisServer master = RedisServer.builder().password("pw").start();
        RedisServer replica = RedisServer.builder().password("pw").replicaOf(master).start();
        Jedis m = jedis(master);
        Jedis r = jedis(replica)) {
      for (int i = 0; i < 100; i++) {
        m.set("key:" + i, "value:" + i);
      }
      awaitTrue(Duration.ofSeconds(20), () -> "value:99".equals(r.get("key:99")));
      assertThat(r.get("key:0")).isEqualTo("value:0");
      assertThat(r.role().get(0)).isEqualTo("slave");
      assertThat(r.info("replication")).contains("master_link_status:up");
    }
  }

  @Test
  void extraConfigAndKeptDataDir(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("data");
    try (RedisServer server = RedisServer.builder().dataDir(dir).config("maxmemory 10mb")
        .config("appendonly yes").start(); Jedis jedis = jedis(server)) {
      assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(10 * 1024 * 1024));
      assertThat(jedis.configGet("dir").get("dir")).isEqualTo(dir.toRealPath().toString());
    }
    assertThat(dir.resolve("redis.conf")).exists();
  }

  @Test
  void killAndRestartOnTheSamePort() throws Exception {
    try (RedisServer server = RedisServer.builder().config("appendonly yes").config("appendfsync always").start()) {
      int port = server.port();
      long firstPid = server.pid();
      try (Jedis jedis = jedis(server)) {
        jedis.set("survives", "yes");
      }
      server.kill();
      assertThat(server.isRunning()).isFalse();
      assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
      assertThatThrownBy(() -> {
        try (Jedis jedis = jedis(server)) {
          jedis.ping();
        }
      }).isInstanceOf(Exception.class);
      server.start();
      assertThat(server.port()).isEqualTo(port);
      assertThat(server.pid()).isNotEqualTo(firstPid);
      try (Jedis jedis = jedis(server)) {
        assertThat(jedis.get("survives")).isEqualTo("yes");
      }
    }
  }

  @Test
  void noOrphanWhenTheStartingJvmIsKilled() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("java.class.path");
    Process child = new ProcessBuilder(java, "-Xmx64m", "-cp", classpath, OrphanProbe.class.getName())
        .redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      long redisPid = -1;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("PID ")) {
          redisPid = Long.parseLong(line.substring(4).trim());
          break;
        }
      }
      assertThat(redisPid).as("the probe printed its redis pid").isPositive();
      assertThat(ProcessHandle.of(redisPid).map(ProcessHandle::isAlive)).contains(true);

      child.destroyForcibly(); // SIGKILL: no shutdown hook runs in the child
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      long pid = redisPid;
      awaitTrue(Duration.ofSeconds(10), () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    } finally {
      child.destroyForcibly();
    }
  }

  static Jedis jedis(RedisServer server) {
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().timeoutMillis(5_000).autoNegotiateProtocol(false);
    server.password().ifPresent(config::password);
    return new Jedis(new HostAndPort(server.host(), server.port()), config.build());
  }

  static void awaitTrue(Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(50);
    }
  }

  /** Runs in a child JVM: starts a server, prints its pid, then waits to be killed. */
  public static final class OrphanProbe {
    public static void main(String[] args) throws Exception {
      RedisServer server = RedisServer.builder().start();
      System.out.println("PID " + server.pid());
      System.out.flush();
      Thread.sleep(60_000);
      List.of(server).forEach(RedisServer::close);
    }
  }
}
