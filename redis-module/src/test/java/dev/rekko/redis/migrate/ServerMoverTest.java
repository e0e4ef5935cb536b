package dev.rekko.redis.migrate;

import static dev.rekko.redis.migrate.MoverFixtures.address;
import static dev.rekko.redis.migrate.MoverFixtures.jedis;
import static dev.rekko.redis.migrate.MoverFixtures.keys;
import static dev.rekko.redis.migrate.MoverFixtures.keysIn;
import static dev.rekko.redis.migrate.MoverFixtures.load;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.launcher.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** The mover against real redis-servers: what moves, where to, and what stays. */
class ServerMoverTest {
  private static RedisServer source;
  private static RedisServer target;
  private static RedisServer other;

  /** Small batches and a shallow queue, so that even these small key sets make many batches. */
  private static final ServerMoverSettings SMALL = ServerMoverSettings.builder().batchKeys(7).scanCount(20).queueBatches(2).build();

  @BeforeAll
  static void start() {
    source = RedisServer.builder().start();
    target = RedisServer.builder().start();
    other = RedisServer.builder().start();
  }

  @AfterAll
  static void stop() {
    for (RedisServer s : new RedisServer[] {source, target, other}) {
      if (s != null) {
        s.close();
      }
    }
  }

  @BeforeEach
  void empty() {
    for (RedisServer s : new RedisServer[] {source, target, other}) {
      try (Jedis j = jedis(s, 0)) {
        j.flushAll();
      }
    }
  }

  @Test
  void movesTheLeavingSlotsOfEveryDatabaseAndNothingElse() throws Exception {
    for (int db : new int[] {0, 3}) {
      load(source, db, keys(1, "a" + db, 120), "v");
      load(source, db, keys(2, "b" + db, 80), "v");
      load(source, db, keys(3, "stay" + db, 50), "v");
    }
    load(source, 5, keys(7, "stay5", 30), "v");

    WalkResult result;
    try (ServerMover mover = MoverFixtures.mover(source, SMALL, null, MoverClock.SYSTEM)) {
      result = mover.walk(Map.of(1, address(target), 2, address(target)));

      for (int db : new int[] {0, 3}) {
        Set<String> expected = new HashSet<>(keys(1, "a" + db, 120));
        expected.addAll(keys(2, "b" + db, 80));
        assertThat(keysIn(target, db)).isEqualTo(expected);
        assertThat(keysIn(source, db)).containsExactlyInAnyOrderElementsOf(keys(3, "stay" + db, 50));
      }
      assertThat(keysIn(source, 5)).hasSize(30);
      assertThat(keysIn(target, 5)).isEmpty();

      // SCAN may return a key twice while the source's table shrinks, hence "at least".
      assertThat(result.slots()).containsOnlyKeys(1, 2);
      WalkResult.SlotCount one = result.slots().get(1);
      assertThat(one.found()).isGreaterThanOrEqualTo(240).isEqualTo(one.moved() + one.gone());
      assertThat(result.slots().get(2).found()).isGreaterThanOrEqualTo(160);
      assertThat(result.keysFound()).isGreaterThanOrEqualTo(400);
      assertThat(result.keysMoved() + result.keysGone()).isEqualTo(result.keysFound());
      assertThat(result.keysScanned()).isGreaterThanOrEqualTo(400 + 100 + 30);
      assertThat(result.batches()).isGreaterThanOrEqualTo(400 / 7);
      // Completed with both slots from its start: every key of them that was there has moved.
      assertThat(result.nothingLeft(1)).isTrue();
      assertThat(one.fromStart()).isTrue();

      WalkResult again = mover.walk(Map.of(1, address(target), 2, address(target)));
      assertThat(again.nothingLeft(1)).isTrue();
      assertThat(again.nothingLeft(2)).isTrue();
      assertThat(again.keysMoved()).isZero();
    }
  }

  @Test
  void aSlotThatJoinsARunningWalkIsMovedThereAfterAndFinishedByTheNextWalk() throws Exception {
    load(source, 0, keys(1, "early", 300), "v");
    load(source, 0, keys(2, "joins", 300), "v");
    AtomicBoolean joined = new AtomicBoolean();
    ServerMover[] self = new ServerMover[1];
    MoverListener joinAtFirstBatch = new MoverListener() {
      @Override
      public void onBatch(BatchReport report) {
        if (joined.compareAndSet(false, true)) {
          assertThat(self[0].movedInCurrentWalk()).containsEntry(1, (long) report.keys());
          assertThat(self[0].join(Map.of(2, address(target), 1, address(other)))).isTrue();
        }
      }
    };
    try (ServerMover mover = MoverFixtures.mover(source, SMALL, joinAtFirstBatch, MoverClock.SYSTEM)) {
      self[0] = mover;
      assertThat(mover.join(Map.of(2, address(target)))).as("no walk runs yet").isFalse();
      WalkResult first = mover.walk(Map.of(1, address(target)));
      assertThat(joined).isTrue();
      assertThat(mover.movedInCurrentWalk()).as("no walk runs").isEmpty();
      assertThat(first.slots()).containsOnlyKeys(1, 2);
      assertThat(first.nothingLeft(1)).isTrue();
      assertThat(first.nothingLeft(2)).as("joined late: SCAN had passed some of its keys").isFalse();
      assertThat(first.slots().get(2).fromStart()).isFalse();
      assertThat(first.slots().get(2).moved()).isPositive();
      // Slot 1 kept the target it started with.
      assertThat(keysIn(other, 0)).isEmpty();

      WalkResult second = mover.walk(Map.of(2, address(target)));
      assertThat(second.nothingLeft(2)).isTrue();
    }
    Set<String> expected = new HashSet<>(keys(1, "early", 300));
    expected.addAll(keys(2, "joins", 300));
    assertThat(keysIn(target, 0)).isEqualTo(expected);
    assertThat(keysIn(source, 0)).isEmpty();
  }

  @Test
  void walksOnlyTheDatabasesItIsGiven() throws Exception {
    load(source, 0, keys(1, "zero", 10), "v");
    load(source, 1, keys(1, "one", 10), "v");
    try (ServerMover mover = new ServerMover(address(source), Credentials.NONE, List.of(1), SMALL, null)) {
      WalkResult result = mover.walk(Map.of(1, address(target)));
      assertThat(result.keysFound()).isEqualTo(10);
    }
    assertThat(keysIn(target, 1)).hasSize(10);
    assertThat(keysIn(source, 0)).hasSize(10);
  }

  @Test
  void keepsTimeToLive() throws Exception {
    List<String> keys = keys(9, "ttl", 40);
    try (Jedis j = jedis(source, 2)) {
      for (String k : keys) {
        j.psetex(k, 600_000, "v");
      }
      j.set("{" + MoverFixtures.tagFor(9) + "}:forever", "v");
    }
    try (ServerMover mover = MoverFixtures.mover(source, SMALL, null, MoverClock.SYSTEM)) {
      assertThat(mover.walk(Map.of(9, address(target))).keysFound()).isGreaterThanOrEqualTo(41);
    }
    try (Jedis j = jedis(target, 2)) {
      for (String k : keys) {
        // Generous: the test may run on a busy machine, but a lost TTL would read -1.
        assertThat(j.pttl(k)).isBetween(540_000L, 600_000L);
      }
      assertThat(j.pttl("{" + MoverFixtures.tagFor(9) + "}:forever")).isEqualTo(-1L);
    }
  }

  @Test
  void movesToSeveralTargetsInOneWalk() throws Exception {
    load(source, 0, keys(10, "x", 90), "v");
    load(source, 0, keys(11, "y", 60), "v");
    load(source, 4, keys(11, "z", 25), "v");
    try (ServerMover mover = MoverFixtures.mover(source, SMALL, null, MoverClock.SYSTEM)) {
      WalkResult r = mover.walk(Map.of(10, address(target), 11, address(other)));
      assertThat(r.keysFound()).isGreaterThanOrEqualTo(175);
    }
    assertThat(keysIn(target, 0)).containsExactlyInAnyOrderElementsOf(keys(10, "x", 90));
    assertThat(keysIn(other, 0)).containsExactlyInAnyOrderElementsOf(keys(11, "y", 60));
    assertThat(keysIn(other, 4)).containsExactlyInAnyOrderElementsOf(keys(11, "z", 25));
    assertThat(keysIn(target, 4)).isEmpty();
    assertThat(keysIn(source, 0)).isEmpty();
  }

  @Test
  void keysWrittenDuringAWalkAreFoundByTheNextOne() throws Exception {
    load(source, 0, keys(12, "old", 300), "v");
    List<String> written = new ArrayList<>();
    AtomicInteger n = new AtomicInteger();
    AtomicBoolean writing = new AtomicBoolean(true);
    // Each finished batch writes two more keys of the leaving slot, as a client that has not yet
    // seen the migration would before the barrier; some land behind SCAN's cursor.
    MoverListener writer = new MoverListener() {
      @Override
      public void onBatch(BatchReport report) {
        if (!writing.get()) {
          return;
        }
        try (Jedis j = jedis(source, 0)) {
          for (int i = 0; i < 2; i++) {
            String k = "{" + MoverFixtures.tagFor(12) + "}:new:" + n.getAndIncrement();
            j.set(k, "w");
            written.add(k);
          }
        }
      }
    };
    try (ServerMover mover = MoverFixtures.mover(source, SMALL, writer, MoverClock.SYSTEM)) {
      WalkResult first = mover.walk(Map.of(12, address(target)));
      assertThat(first.keysFound()).isGreaterThanOrEqualTo(300);
      writing.set(false);
      Set<String> left = keysIn(source, 0);
      WalkResult second = mover.walk(Map.of(12, address(target)));
      assertThat(second.slots().get(12).found()).isGreaterThanOrEqualTo(left.size());
      assertThat(mover.walk(Map.of(12, address(target))).nothingLeft(12)).isTrue();
    }
    Set<String> expected = new HashSet<>(keys(12, "old", 300));
    expected.addAll(written);
    assertThat(keysIn(target, 0)).isEqualTo(expected);
    assertThat(keysIn(source, 0)).isEmpty();
  }

  @Test
  void moveKeysMovesOneExplicitBatch() throws Exception {
    load(source, 6, keys(13, "k", 5), "v");
    List<byte[]> batch = new ArrayList<>();
    for (String k : keys(13, "k", 3)) {
      batch.add(k.getBytes(StandardCharsets.UTF_8));
    }
    try (ServerMover mover = MoverFixtures.mover(source, SMALL, null, MoverClock.SYSTEM)) {
      assertThat(mover.moveKeys(6, address(target), batch)).isTrue();
      // Moved already: MIGRATE answers NOKEY, which is not an error.
      assertThat(mover.moveKeys(6, address(target), batch)).isFalse();
    }
    assertThat(keysIn(target, 6)).containsExactlyInAnyOrderElementsOf(keys(13, "k", 3));
    assertThat(keysIn(source, 6)).hasSize(2);
  }

  @Test
  void anEmptyMapMovesNothing() throws Exception {
    load(source, 0, keys(1, "a", 10), "v");
    try (ServerMover mover = MoverFixtures.mover(source, SMALL, null, MoverClock.SYSTEM)) {
      WalkResult r = mover.walk(Map.<Integer, BackendAddress>of());
      assertThat(r.keysScanned()).isZero();
      assertThat(r.slots()).isEmpty();
    }
    assertThat(keysIn(source, 0)).hasSize(10);
  }
}
