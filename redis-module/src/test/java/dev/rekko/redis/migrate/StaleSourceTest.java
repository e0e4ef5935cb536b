package dev.rekko.redis.migrate;

import static dev.rekko.redis.migrate.MoverFixtures.address;
import static dev.rekko.redis.migrate.MoverFixtures.jedis;
import static dev.rekko.redis.migrate.MoverFixtures.keys;
import static dev.rekko.redis.migrate.MoverFixtures.keysIn;
import static dev.rekko.redis.migrate.MoverFixtures.load;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.backend.BackendAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * A source holding stale copies of keys the target already holds with newer values, as a source whose
 * replica was promoted before it received the DEL of keys already moved (and then written on the
 * target) does. Every way the mover moves keys keeps the target's value and deletes the source's copy.
 */
class StaleSourceTest {
  private static final int SLOT = 60;
  @RegisterExtension
  static final SourceAndTarget redis = new SourceAndTarget(true);

  private static final ServerMoverSettings SMALL = ServerMoverSettings.builder().batchKeys(7).scanCount(20)
      .queueBatches(2).maxAttempts(3).build();

  /** 30 keys of {@link #SLOT} on the source; every tenth also on the target, newer there. */
  private static List<String> staleEveryTenth(int db) {
    List<String> keys = keys(SLOT, "k", 30);
    load(redis.source(), db, keys, "v");
    try (Jedis s = jedis(redis.source(), db); Jedis t = jedis(redis.target(), db)) {
      for (int i = 0; i < keys.size(); i += 10) {
        s.set(keys.get(i), "stale");
        t.set(keys.get(i), "newer");
      }
    }
    return keys;
  }

  private static void assertTheTargetWon(int db, List<String> keys) {
    assertThat(keysIn(redis.source(), db)).as("the source's copies are gone").isEmpty();
    assertThat(keysIn(redis.target(), db)).isEqualTo(new HashSet<>(keys));
    try (Jedis t = jedis(redis.target(), db)) {
      for (int i = 0; i < keys.size(); i++) {
        assertThat(t.get(keys.get(i))).as(keys.get(i)).isEqualTo(i % 10 == 0 ? "newer" : "v");
      }
    }
  }

  private static WalkResult walk(ServerMoverSettings options) throws Exception {
    try (ServerMover mover = MoverFixtures.mover(redis.source(), options, null, MoverClock.SYSTEM)) {
      WalkResult r = mover.walk(Map.of(SLOT, address(redis.target())));
      assertThat(r.nothingLeft(SLOT)).isTrue();
      assertThat(mover.walk(Map.of(SLOT, address(redis.target()))).keysFound()).as("a second walk finds nothing")
          .isZero();
      return r;
    }
  }

  @Test
  void aWalkByCopyLanesKeepsTheTargetsValues() throws Exception {
    List<String> keys = staleEveryTenth(0);
    WalkResult r = walk(SMALL.toBuilder().copyLanes(2).build());
    assertThat(r.keysMoved()).isEqualTo(30);
    assertTheTargetWon(0, keys);
    try (Jedis s = jedis(redis.source(), 0)) {
      assertThat(s.info("commandstats")).as("no key went by MIGRATE").doesNotContain("cmdstat_migrate");
    }
  }

  @Test
  void aWalkByMigrateKeepsTheTargetsValues() throws Exception {
    List<String> keys = staleEveryTenth(3);
    WalkResult r = walk(SMALL.toBuilder().copyLanes(0).build());
    assertThat(r.keysMoved()).isEqualTo(30);
    assertThat(r.retries()).as("the keys the target held were settled without a retry").isZero();
    assertTheTargetWon(3, keys);
  }

  @Test
  void aBigValueThatGoesByMigrateKeepsTheTargetsValue() throws Exception {
    String big = "{" + MoverFixtures.tagFor(SLOT) + "}:big";
    try (Jedis s = jedis(redis.source(), 0); Jedis t = jedis(redis.target(), 0)) {
      // Random bytes: the DUMP format compresses, and a repeated text would be a small payload.
      byte[] stale = new byte[4096];
      new java.util.Random(7).nextBytes(stale);
      s.set(big.getBytes(StandardCharsets.UTF_8), stale);
      t.set(big, "newer");
    }
    List<String> small = keys(SLOT, "small", 5);
    load(redis.source(), 0, small, "v");
    WalkResult r = walk(SMALL.toBuilder().copyLanes(1).copyMaxValueBytes(1024).build());
    assertThat(r.keysMoved()).isEqualTo(6);
    try (Jedis s = jedis(redis.source(), 0); Jedis t = jedis(redis.target(), 0)) {
      assertThat(s.info("commandstats")).as("the big key went by MIGRATE").contains("cmdstat_migrate:calls=1,");
      assertThat(t.get(big)).isEqualTo("newer");
    }
    assertThat(keysIn(redis.source(), 0)).isEmpty();
  }

  @Test
  void moveKeysKeepsTheTargetsValue() throws Exception {
    List<String> keys = staleEveryTenth(0);
    List<byte[]> batch = keys.subList(0, 12).stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    try (ServerMover mover = MoverFixtures.mover(redis.source(), SMALL, null, MoverClock.SYSTEM)) {
      assertThat(mover.moveKeys(0, address(redis.target()), batch)).isTrue();
    }
    assertThat(keysIn(redis.source(), 0)).containsExactlyInAnyOrderElementsOf(keys.subList(12, 30));
    try (Jedis t = jedis(redis.target(), 0)) {
      assertThat(t.get(keys.get(0))).isEqualTo("newer");
      assertThat(t.get(keys.get(1))).isEqualTo("v");
      assertThat(t.get(keys.get(10))).isEqualTo("newer");
    }
  }

  /**
   * A retried MIGRATE (after the target answered MASTERDOWN) that finds the key on the target: the
   * retry deletes the source's copy and the walk completes.
   */
  @Test
  void aRetryThatFindsTheKeyOnTheTargetDeletesTheSourcesCopy() throws Exception {
    List<String> keys = keys(SLOT, "r", 3);
    load(redis.source(), 0, keys, "stale");
    try (Jedis t = jedis(redis.target(), 0)) {
      // A replica of nobody that serves no stale data refuses RESTORE with MASTERDOWN: a retriable error.
      t.configSet("replica-read-only", "no");
      t.configSet("replica-serve-stale-data", "no");
      t.replicaof("127.0.0.1", 1);
    }
    AtomicBoolean healed = new AtomicBoolean();
    MoverListener heal = new MoverListener() {
      @Override
      public void onRetry(BackendAddress to, int db, int keys1, int attempt, String error) {
        if (healed.compareAndSet(false, true)) {
          assertThat(error).contains("MASTERDOWN");
          try (Jedis t = jedis(redis.target(), 0)) {
            t.replicaofNoOne();
            t.set(keys.get(1), "newer");
          }
        }
      }
    };
    ServerMoverSettings options = SMALL.toBuilder().copyLanes(0).build();
    try (ServerMover mover = MoverFixtures.mover(redis.source(), options, heal, new MoverFixtures.FakeClock())) {
      WalkResult r = mover.walk(Map.of(SLOT, address(redis.target())));
      assertThat(healed).isTrue();
      assertThat(r.keysMoved()).isEqualTo(3);
    } finally {
      try (Jedis t = jedis(redis.target(), 0)) {
        t.replicaofNoOne();
        t.configSet("replica-read-only", "yes");
        t.configSet("replica-serve-stale-data", "yes");
      }
    }
    assertThat(keysIn(redis.source(), 0)).isEmpty();
    try (Jedis t = jedis(redis.target(), 0)) {
      assertThat(t.mget(keys.toArray(String[]::new))).containsExactly("stale", "newer", "stale");
    }
  }
}
