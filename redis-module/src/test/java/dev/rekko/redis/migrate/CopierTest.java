package dev.rekko.redis.migrate;

import static dev.rekko.redis.migrate.MoverFixtures.address;
import static dev.rekko.redis.migrate.MoverFixtures.jedis;
import static dev.rekko.redis.migrate.MoverFixtures.keys;
import static dev.rekko.redis.migrate.MoverFixtures.keysIn;
import static dev.rekko.redis.migrate.MoverFixtures.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.launcher.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.MigrateParams;

/**
 * The copy-and-delete mover ({@link Copier}, {@link CopyLane}) against real servers: clients that race a
 * round, big values, the byte budget, and failures. Each race here would lose or resurrect a write if
 * the round did not WATCH its keys on the target.
 */
class CopierTest {
  private static final ServerMoverSettings SMALL = ServerMoverSettings.builder().batchKeys(10).scanCount(50).queueBatches(2)
      .maxAttempts(3).copyLanes(1).build();

  @Test
  void aKeyAClientMovesAndDeletesDuringARoundIsNotResurrected() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      List<String> keys = keys(30, "k", 10);
      load(source, 0, keys, "old");
      String deleted = keys.get(0);
      String rewritten = keys.get(1);
      AtomicBoolean raced = new AtomicBoolean();
      try (ServerMover mover = MoverFixtures.mover(source, SMALL, null, MoverClock.SYSTEM)) {
        // What a node does on access during the migration: MIGRATE the key away from the source, then
        // run the command on the target. Here it happens after the round's DUMP, before its RESTOREs.
        mover.copier().afterDump = batch -> {
          if (raced.compareAndSet(false, true)) {
            try (Jedis s = jedis(source, 0); Jedis t = jedis(target, 0)) {
              s.migrate(target.host(), target.port(), 0, 5000, new MigrateParams().replace(), deleted, rewritten);
              t.del(deleted);
              t.set(rewritten, "new");
            }
          }
        };
        WalkResult r = mover.walk(Map.of(30, address(target)));
        assertThat(raced).isTrue();
        assertThat(r.keysMoved()).isEqualTo(8);
        assertThat(r.keysGone()).isEqualTo(2);
      }
      try (Jedis t = jedis(target, 0)) {
        assertThat(t.exists(deleted)).isFalse();
        assertThat(t.get(rewritten)).isEqualTo("new");
        for (String k : keys.subList(2, keys.size())) {
          assertThat(t.get(k)).isEqualTo("old");
        }
      }
      assertThat(keysIn(source, 0)).isEmpty();
    }
  }

  /**
   * Stopping a mover (its actor's PostStop) from another thread while a lane is in the middle of a round:
   * the lane keeps its connections, finishes the round, notices the cancel, and the walk's own thread
   * closes every connection on its way out. Closing them under the lane broke the round mid-way.
   */
  @Test
  void closingTheMoverMidRoundLeavesTheLaneItsConnectionsUntilTheWalkEnds() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      load(source, 0, keys(32, "k", 30), "v");
      ServerMover mover = MoverFixtures.mover(source, SMALL, null, MoverClock.SYSTEM);
      int[] open = {-1, -1};
      AtomicBoolean closed = new AtomicBoolean();
      mover.copier().afterDump = batch -> {
        if (closed.compareAndSet(false, true)) {
          open[0] = mover.copier().openConnections();
          Thread closer = new Thread(mover::close, "closer");
          closer.start();
          try {
            closer.join();
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
          open[1] = mover.copier().openConnections();
        }
      };
      assertThatThrownBy(() -> mover.walk(Map.of(32, address(target)))).isInstanceOf(CancellationException.class);
      assertThat(open[0]).as("the lane's source and target connections").isEqualTo(2);
      assertThat(open[1]).as("still open when close() returned").isEqualTo(2);
      assertThat(mover.copier().openConnections()).as("closed by the walk on its way out").isZero();
      assertThatThrownBy(() -> mover.walk(Map.of(32, address(target))))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
  }

  @Test
  void aKeyWrittenOnTheTargetAfterTheWatchAbortsTheRoundWhichRunsAgain() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      List<String> keys = keys(31, "k", 10);
      load(source, 0, keys, "old");
      String touched = keys.get(3);
      List<Integer> rounds = new ArrayList<>();
      try (ServerMover mover = MoverFixtures.mover(source, SMALL, null, MoverClock.SYSTEM)) {
        mover.copier().afterDump = batch -> {
          rounds.add(batch.size());
          if (rounds.size() == 1) {
            // Only the target is touched: the source still holds the key, so only the WATCH can tell.
            try (Jedis t = jedis(target, 0)) {
              t.set(touched, "touched");
            }
          }
        };
        WalkResult r = mover.walk(Map.of(31, address(target)));
        assertThat(r.keysMoved()).isEqualTo(10);
      }
      // The first round was aborted and ran again with the same keys; the target then held the touched
      // key, which is never written over (a key on the target is at least as new as the source's copy):
      // its copy on the source was deleted instead.
      assertThat(rounds).containsExactly(10, 10);
      try (Jedis t = jedis(target, 0)) {
        assertThat(t.get(touched)).isEqualTo("touched");
        assertThat(t.get(keys.get(4))).isEqualTo("old");
      }
      assertThat(keysIn(source, 0)).isEmpty();
    }
  }

  @Test
  void aBigValueGoesByMigrateAndNeverThroughTheMoversMemory() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      String big = "{" + MoverFixtures.tagFor(32) + "}:big";
      try (Jedis j = jedis(source, 0)) {
        // Random bytes: the DUMP format compresses, and 50 MiB of zeros would be a small payload.
        j.set(big.getBytes(), random(50 * 1024 * 1024));
        j.pexpire(big, 600_000);
      }
      List<String> small = keys(32, "small", 5);
      load(source, 0, small, "v");
      ServerMoverSettings options = SMALL.toBuilder().copyMaxValueBytes(1024 * 1024).copyBatchBytes(10 * 1024 * 1024).build();
      try (ServerMover mover = MoverFixtures.mover(source, options, null, MoverClock.SYSTEM)) {
        assertThat(mover.walk(Map.of(32, address(target))).keysMoved()).isEqualTo(6);
      }
      try (Jedis j = jedis(target, 0)) {
        assertThat(j.strlen(big)).isEqualTo(50L * 1024 * 1024);
        assertThat(j.pttl(big)).isBetween(500_000L, 600_000L);
      }
      try (Jedis j = jedis(source, 0)) {
        // One MIGRATE, for the big key alone; the five small ones were copied.
        assertThat(j.info("commandstats")).contains("cmdstat_migrate:calls=1,");
      }
      assertThat(keysIn(source, 0)).isEmpty();
    }
  }

  @Test
  void aRoundCarriesAtMostItsBytesWorthOfTheBiggestValuesCopied() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      List<String> keys = keys(33, "k", 10);
      load(source, 0, keys, "v");
      List<Integer> rounds = new ArrayList<>();
      ServerMoverSettings options = SMALL.toBuilder().copyMaxValueBytes(200).copyBatchBytes(600).build();
      try (ServerMover mover = MoverFixtures.mover(source, options, null, MoverClock.SYSTEM)) {
        mover.copier().afterDump = batch -> rounds.add(batch.size());
        assertThat(mover.walk(Map.of(33, address(target))).keysMoved()).isEqualTo(10);
      }
      assertThat(rounds).containsExactly(3, 3, 3, 1);
      assertThat(keysIn(target, 0)).isEqualTo(new HashSet<>(keys));
      assertThat(keysIn(source, 0)).isEmpty();
    }
  }

  @Test
  @Timeout(60)
  void whileYieldingOnlyTheFirstLanesTakeRoundsAndTheWalkStillEnds() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      List<String> keys = keys(36, "k", 300);
      load(source, 0, keys, "v");
      Set<String> lanes = java.util.concurrent.ConcurrentHashMap.newKeySet();
      ServerMoverSettings options = SMALL.toBuilder().copyLanes(3).yieldPipelineDepth(1).yieldBatchKeys(20).build();
      try (ServerMover mover = MoverFixtures.mover(source, options, null, MoverClock.SYSTEM)) {
        mover.load().force(true);
        mover.copier().afterDump = batch -> lanes.add(Thread.currentThread().getName());
        WalkResult r = mover.walk(Map.of(36, address(target)));
        assertThat(r.keysMoved()).isEqualTo(300);
        // Only the calling thread's lane ran; the two others waited and left at the end of the walk.
        assertThat(lanes).containsExactly(Thread.currentThread().getName());
      }
      assertThat(keysIn(target, 0)).isEqualTo(new HashSet<>(keys));
    }
  }

  @Test
  void aDelOwedByACancelledWalkIsNeverSentLater() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      load(source, 0, keys(37, "k", 30), "v");
      load(source, 0, keys(38, "k", 5), "v");
      List<String> owed = new ArrayList<>();
      try (ServerMover mover = MoverFixtures.mover(source, SMALL, null, MoverClock.SYSTEM)) {
        java.util.concurrent.atomic.AtomicInteger rounds = new java.util.concurrent.atomic.AtomicInteger();
        mover.copier().afterDump = batch -> {
          if (rounds.incrementAndGet() == 2) {
            // This round is restored on the target; its DEL would go with the next round, which never comes.
            batch.keys.forEach(k -> owed.add(new String(k, java.nio.charset.StandardCharsets.UTF_8)));
            mover.cancel();
          }
        };
        assertThatThrownBy(() -> mover.walk(Map.of(37, address(target))))
            .isInstanceOf(java.util.concurrent.CancellationException.class);
        mover.copier().afterDump = batch -> { };
        // Later the slot has come back to this server with new values; then the mover walks another slot.
        try (Jedis s = jedis(source, 0)) {
          for (String k : owed) {
            s.set(k, "back");
          }
        }
        mover.walk(Map.of(38, address(target)));
      }
      assertThat(owed).hasSize(10);
      try (Jedis s = jedis(source, 0)) {
        for (String k : owed) {
          assertThat(s.get(k)).isEqualTo("back");
        }
      }
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new java.util.Random(n).nextBytes(b);
    return b;
  }

  @Test
  void aTargetThatIsDownFailsTheWalkClearlyAndALaterWalkCompletes() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      load(source, 2, keys(34, "k", 30), "v");
      target.kill();
      ServerMoverSettings options = SMALL.toBuilder().copyLanes(2).build();
      try (ServerMover mover = MoverFixtures.mover(source, options, null, new MoverFixtures.FakeClock())) {
        assertThatThrownBy(() -> mover.walk(Map.of(34, address(target))))
            .isInstanceOf(MoveException.class)
            .hasMessageContaining("from source " + address(source))
            .hasMessageContaining("to target " + address(target))
            .hasMessageContaining("of db 2")
            .hasMessageContaining("gave up after 3 tries");
        assertThat(keysIn(source, 2)).hasSize(30);

        target.start();
        assertThat(mover.walk(Map.of(34, address(target))).keysMoved()).isEqualTo(30);
      }
      assertThat(keysIn(target, 2)).containsExactlyInAnyOrderElementsOf(keys(34, "k", 30));
      assertThat(keysIn(source, 2)).isEmpty();
    }
  }

  @Test
  void aTargetThatRefusesTheKeysFailsAtOnceWithItsText() throws Exception {
    try (RedisServer source = RedisServer.builder().start();
        RedisServer target = RedisServer.builder().password("secret").start()) {
      load(source, 0, keys(35, "k", 5), "v");
      try (ServerMover mover = MoverFixtures.mover(source, SMALL, null, MoverClock.SYSTEM)) {
        assertThatThrownBy(() -> mover.walk(Map.of(35, address(target))))
            .isInstanceOf(MoveException.class)
            .hasMessageContaining("NOAUTH")
            .hasMessageContaining("to target " + address(target));
      }
      assertThat(keysIn(source, 0)).hasSize(5);
    }
  }

  @Test
  void severalLanesMoveEveryKeyOfSeveralSlotsAndDatabasesOnce() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      Set<String> leaving = new HashSet<>();
      for (int slot = 40; slot < 44; slot++) {
        List<String> k = keys(slot, "k", 250);
        load(source, 0, k, "v0");
        load(source, 5, k, "v5");
        leaving.addAll(k);
      }
      load(source, 0, keys(50, "stays", 20), "v");
      Map<Integer, BackendAddress> slots = Map.of(40, address(target), 41, address(target), 42, address(target),
          43, address(target));
      ServerMoverSettings options = SMALL.toBuilder().batchKeys(100).copyLanes(3).build();
      try (ServerMover mover = MoverFixtures.mover(source, options, null, MoverClock.SYSTEM)) {
        WalkResult r = mover.walk(slots);
        assertThat(r.keysMoved()).isEqualTo(2000);
        assertThat(mover.walk(slots).keysFound()).isZero();
      }
      assertThat(keysIn(target, 0)).isEqualTo(leaving);
      assertThat(keysIn(target, 5)).isEqualTo(leaving);
      assertThat(keysIn(source, 0)).containsExactlyInAnyOrderElementsOf(keys(50, "stays", 20));
      // Each lane deletes a round's keys with its next round, or at a change of database, or at the end.
      assertThat(keysIn(source, 5)).isEmpty();
      try (Jedis t = jedis(target, 5)) {
        assertThat(t.get(keys(42, "k", 250).get(7))).isEqualTo("v5");
      }
    }
  }
}
