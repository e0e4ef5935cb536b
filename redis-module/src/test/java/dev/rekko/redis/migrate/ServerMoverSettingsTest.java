package dev.rekko.redis.migrate;

import static dev.rekko.redis.migrate.MoverFixtures.address;
import static dev.rekko.redis.migrate.MoverFixtures.jedis;
import static dev.rekko.redis.migrate.MoverFixtures.keys;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.launcher.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.ScanParams;

/** Credentials carried into MIGRATE, and batches shaped by measured key sizes. */
class ServerMoverSettingsTest {

  @Test
  void aPasswordReachesSourceAndTarget() throws Exception {
    Credentials pw = Credentials.password("s3cret");
    try (RedisServer source = RedisServer.builder().password("s3cret").start();
        RedisServer target = RedisServer.builder().password("s3cret").start()) {
      movesTwentyKeys(source, target, pw);
    }
  }

  @Test
  void anAclUserReachesSourceAndTarget() throws Exception {
    Credentials mover = new Credentials("mover", "p4ss");
    try (RedisServer source = RedisServer.builder().aclUser("mover", "p4ss").start();
        RedisServer target = RedisServer.builder().aclUser("mover", "p4ss").start()) {
      movesTwentyKeys(source, target, mover);
    }
  }

  private static void movesTwentyKeys(RedisServer source, RedisServer target, Credentials credentials)
      throws Exception {
    try (Jedis j = jedis(source, 1, credentials)) {
      for (String k : keys(40, "k", 20)) {
        j.set(k, "v");
      }
    }
    try (ServerMover mover = new ServerMover(address(source), credentials, List.of(), ServerMoverSettings.defaults(), null)) {
      assertThat(mover.walk(Map.of(40, address(target))).keysFound()).isGreaterThanOrEqualTo(20);
    }
    try (Jedis j = jedis(target, 1, credentials)) {
      assertThat(Set.copyOf(j.scan(ScanParams.SCAN_POINTER_START, new ScanParams().count(100)).getResult()))
          .containsExactlyInAnyOrderElementsOf(keys(40, "k", 20));
    }
  }

  @Test
  void measuredSizesCutBatchesAndSendBigKeysAlone() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      String big = "{" + MoverFixtures.tagFor(41) + "}:big";
      try (Jedis j = jedis(source, 0)) {
        Pipeline p = j.pipelined();
        for (String k : keys(41, "k", 60)) {
          p.set(k, "x".repeat(1000));
        }
        p.set(big, "y".repeat(200_000));
        p.sync();
      }
      // About a kilobyte per key: a batch holds at most ten of them, the 200 kB key goes alone.
      ServerMoverSettings options = ServerMoverSettings.builder().batchKeys(1000).maxBatchBytes(11_000)
          .bigKeyBytes(100_000).build();
      List<Integer> sizes = new ArrayList<>();
      MoverListener listener = new MoverListener() {
        @Override
        public void onBatch(BatchReport report) {
          sizes.add(report.keys());
        }
      };
      try (ServerMover mover = MoverFixtures.mover(source, options, listener, MoverClock.SYSTEM)) {
        WalkResult r = mover.walk(Map.of(41, address(target)));
        assertThat(r.keysMoved()).isGreaterThanOrEqualTo(61);
      }
      assertThat(sizes).allMatch(n -> n <= 10).contains(1);
      assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isGreaterThanOrEqualTo(61);
      try (Jedis j = jedis(target, 0)) {
        assertThat(j.strlen(big)).isEqualTo(200_000L);
        assertThat(j.dbSize()).isEqualTo(61L);
      }
    }
  }
}
