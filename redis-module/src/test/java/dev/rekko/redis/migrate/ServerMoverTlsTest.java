package dev.rekko.redis.migrate;

import static dev.rekko.redis.migrate.MoverFixtures.address;
import static dev.rekko.redis.migrate.MoverFixtures.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.redis.tls.Certificates;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mover between Redis servers that listen only on {@code tls-port} and require client certificates. Its
 * own connections speak TLS ({@link Credentials#tls()}); the source's MIGRATE connection to the target is the
 * source's own, and Redis makes it TLS only with {@code tls-cluster yes} on the source. Without it MIGRATE
 * fails with IOERR, while copy lanes (DUMP and RESTORE over the mover's own connections) still move the keys
 * that fit them.
 */
class ServerMoverTlsTest {
  private static final ServerMoverSettings MIGRATE = ServerMoverSettings.builder().batchKeys(7).scanCount(20)
      .queueBatches(2).maxAttempts(2).retryBackoff(Duration.ofMillis(10)).retryBackoffMax(Duration.ofMillis(20))
      .copyLanes(0).build();
  private static final ServerMoverSettings LANES = ServerMoverSettings.builder().batchKeys(7).scanCount(20)
      .queueBatches(2).maxAttempts(2).retryBackoff(Duration.ofMillis(10)).retryBackoffMax(Duration.ofMillis(20))
      .copyLanes(2).copyMaxValueBytes(1024).build();

  @TempDir
  Path dir;
  private Certificates ca;
  private final List<RedisServer> servers = new ArrayList<>();

  @BeforeEach
  void ca() throws Exception {
    ca = Certificates.newCa(dir, "rekko-test-ca");
  }

  @AfterEach
  void stop() {
    servers.forEach(RedisServer::close);
  }

  private RedisServer tlsServer(String name, boolean tlsCluster) throws Exception {
    Certificates.Issued cert = ca.issue(name);
    RedisServer s = RedisServer.builder().tls(cert.cert(), cert.key(), ca.caFile()).tlsCluster(tlsCluster).start();
    servers.add(s);
    return s;
  }

  private Credentials credentials(RedisServer anyServer) {
    return Credentials.NONE.withTls(anyServer.tls());
  }

  @Test
  void migrateMovesKeysBetweenTlsOnlyServersWithTlsClusterOnTheSource() throws Exception {
    RedisServer source = tlsServer("source", true);
    RedisServer target = tlsServer("target", true);
    load(source, keys(1, "a", 100));
    load(source, keys(3, "stay", 20));
    try (ServerMover mover = new ServerMover(address(source), credentials(source), List.of(), MIGRATE, null)) {
      WalkResult r = mover.walk(Map.of(1, address(target)));
      assertThat(r.nothingLeft(1)).isTrue();
      assertThat(r.longestMigrateKeys()).as("moved by MIGRATE").isPositive();
    }
    assertThat(keysIn(target)).isEqualTo(new HashSet<>(keys(1, "a", 100)));
    assertThat(keysIn(source)).isEqualTo(new HashSet<>(keys(3, "stay", 20)));
  }

  @Test
  void withoutTlsClusterMigrateFailsAndCopyLanesStillMoveTheKeys() throws Exception {
    RedisServer source = tlsServer("source", false);
    RedisServer target = tlsServer("target", true);
    load(source, keys(1, "a", 50));
    try (ServerMover mover = new ServerMover(address(source), credentials(source), List.of(), MIGRATE, null)) {
      assertThatThrownBy(() -> mover.walk(Map.of(1, address(target)))).isInstanceOf(MoveException.class)
          .hasMessageContaining("IOERR");
    }
    assertThat(keysIn(target)).isEmpty();

    try (ServerMover mover = new ServerMover(address(source), credentials(source), List.of(), LANES, null)) {
      assertThat(mover.walk(Map.of(1, address(target))).nothingLeft(1)).isTrue();
    }
    assertThat(keysIn(target)).isEqualTo(new HashSet<>(keys(1, "a", 50)));
    assertThat(keysIn(source)).isEmpty();

    // A key too big for a copy lane goes by MIGRATE, which fails the same way.
    String big = keys(1, "big", 1).get(0);
    try (LocalRedisClient c = source.client()) {
      // Random, so that DUMP's compression keeps it above copyMaxValueBytes.
      c.ok("SET", big, new java.math.BigInteger(80_000, new java.util.Random(7)).toString(36));
    }
    try (ServerMover mover = new ServerMover(address(source), credentials(source), List.of(), LANES, null)) {
      assertThatThrownBy(() -> mover.walk(Map.of(1, address(target)))).isInstanceOf(MoveException.class)
          .hasMessageContaining("IOERR");
    }
    assertThat(keysIn(source)).containsExactly(big);
  }

  private static void load(RedisServer server, List<String> keys) throws IOException {
    try (LocalRedisClient c = server.client()) {
      List<String> args = new ArrayList<>(List.of("MSET"));
      for (String k : keys) {
        args.add(k);
        args.add("v");
      }
      c.ok(args.toArray(String[]::new));
    }
  }

  private static Set<String> keysIn(RedisServer server) throws IOException {
    try (LocalRedisClient c = server.client()) {
      Set<String> all = new HashSet<>();
      for (Object k : (List<?>) c.ok("KEYS", "*")) {
        all.add((String) k);
      }
      return all;
    }
  }
}
