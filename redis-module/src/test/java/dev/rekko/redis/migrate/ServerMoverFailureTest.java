package dev.rekko.redis.migrate;

import static dev.rekko.redis.migrate.MoverFixtures.address;
import static dev.rekko.redis.migrate.MoverFixtures.jedis;
import static dev.rekko.redis.migrate.MoverFixtures.keys;
import static dev.rekko.redis.migrate.MoverFixtures.keysIn;
import static dev.rekko.redis.migrate.MoverFixtures.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.launcher.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** What the mover does when keys vanish, servers fail or refuse, values are big, or it is stopped. */
class ServerMoverFailureTest {
  /** These tests pin the MIGRATE mover (copy lanes 0); {@link CopierTest} covers the copy path's failures. */
  private static final ServerMoverSettings SMALL = ServerMoverSettings.builder().batchKeys(10).scanCount(20).queueBatches(2)
      .pipelineDepth(2).maxAttempts(3).copyLanes(0).build();

  @Test
  void aTargetThatIsDownIsRetriedThenFailsClearlyAndALaterWalkCompletes() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      load(source, 3, keys(20, "k", 50), "v");
      target.kill();
      List<Integer> attempts = new ArrayList<>();
      MoverListener retries = new MoverListener() {
        @Override
        public void onRetry(BackendAddress to, int db, int keys, int attempt, String error) {
          attempts.add(attempt);
          assertThat(error).startsWith("IOERR");
        }
      };
      MoverFixtures.FakeClock clock = new MoverFixtures.FakeClock();
      try (ServerMover mover = MoverFixtures.mover(source, SMALL, retries, clock)) {
        MoveException e = catchThrowableOfType(MoveException.class,
            () -> mover.walk(Map.of(20, address(target))));
        assertThat(e).hasMessageContaining("from source " + address(source))
            .hasMessageContaining("to target " + address(target))
            .hasMessageContaining("of db 3")
            .hasMessageContaining("gave up after 3 tries")
            .hasMessageContaining("IOERR");
        assertThat(e.source()).isEqualTo(address(source));
        assertThat(e.target()).isEqualTo(address(target));
        assertThat(e.db()).isEqualTo(3);
        assertThat(attempts).containsExactly(2, 3);
        // Backoff was asked for (200 ms, then 400 ms) without the test waiting for it.
        assertThat(clock.sleptNanos()).isEqualTo(Duration.ofMillis(600).toNanos());
        assertThat(keysIn(source, 3)).hasSize(50);

        target.start();
        WalkResult r = mover.walk(Map.of(20, address(target)));
        assertThat(r.keysFound()).isGreaterThanOrEqualTo(50);
      }
      assertThat(keysIn(target, 3)).containsExactlyInAnyOrderElementsOf(keys(20, "k", 50));
      assertThat(keysIn(source, 3)).isEmpty();
    }
  }

  @Test
  void aSourceThatIsDownFailsTheWalkNamingIt() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      source.kill();
      try (ServerMover mover = MoverFixtures.mover(source, SMALL, null, new MoverFixtures.FakeClock())) {
        assertThatThrownBy(() -> mover.walk(Map.of(1, address(target))))
            .isInstanceOf(MoveException.class)
            .hasMessageContaining("source " + address(source))
            .hasMessageContaining("after 3 tries");
      }
    }
  }

  @Test
  void aDatabaseTheSourceDoesNotHaveFailsTheWalk() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      try (ServerMover mover = new ServerMover(address(source), Credentials.NONE, List.of(0, 99), SMALL, null,
          new MoverFixtures.FakeClock())) {
        assertThatThrownBy(() -> mover.walk(Map.of(1, address(target))))
            .isInstanceOf(MoveException.class)
            .hasMessageContaining("db 99")
            .hasMessageContaining("out of range");
      }
    }
  }

  @Test
  void keysDeletedDuringTheWalkAreNoError() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      List<String> keys = keys(21, "k", 200);
      load(source, 0, keys, "v");
      AtomicInteger batches = new AtomicInteger();
      // After the first batch, the rest of the slot's keys disappear (as if moved on access or deleted),
      // so batches SCAN has already queued find none of their keys.
      MoverListener deleter = new MoverListener() {
        @Override
        public void onBatch(BatchReport report) {
          if (batches.incrementAndGet() == 1) {
            try (Jedis j = jedis(source, 0)) {
              j.del(keys.toArray(String[]::new));
            }
          }
        }
      };
      ServerMoverSettings options = SMALL.toBuilder().pipelineDepth(1).queueBatches(4).build();
      try (ServerMover mover = MoverFixtures.mover(source, options, deleter, MoverClock.SYSTEM)) {
        WalkResult r = mover.walk(Map.of(21, address(target)));
        assertThat(r.keysGone()).isPositive();
        assertThat(r.keysMoved()).isEqualTo(10);
        assertThat(r.retries()).isZero();
        assertThat(mover.walk(Map.of(21, address(target))).nothingLeft(21)).isTrue();
      }
      assertThat(keysIn(target, 0)).hasSize(10);
    }
  }

  @Test
  void anErrorFromTheTargetFailsAtOnceWithItsText() throws Exception {
    try (RedisServer source = RedisServer.builder().start();
        RedisServer target = RedisServer.builder().password("secret").start()) {
      load(source, 0, keys(22, "k", 5), "v");
      List<String> retried = new ArrayList<>();
      MoverListener listener = new MoverListener() {
        @Override
        public void onRetry(BackendAddress to, int db, int keys, int attempt, String error) {
          retried.add(error);
        }
      };
      // No credentials: the target refuses the source's RESTOREs.
      try (ServerMover mover = MoverFixtures.mover(source, SMALL, listener, MoverClock.SYSTEM)) {
        assertThatThrownBy(() -> mover.walk(Map.of(22, address(target))))
            .isInstanceOf(MoveException.class)
            .hasMessageContaining("Target instance replied with error")
            .hasMessageContaining("NOAUTH")
            .hasMessageContaining("to target " + address(target));
      }
      assertThat(retried).isEmpty();
      assertThat(keysIn(source, 0)).hasSize(5);
    }
  }

  @Test
  void aBigValueMovesAloneWithATimeoutScaledToItsSize() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      String big = "{" + MoverFixtures.tagFor(23) + "}:big";
      try (Jedis j = jedis(source, 0)) {
        j.set(big.getBytes(), new byte[50 * 1024 * 1024]);
      }
      load(source, 0, keys(23, "small", 5), "v");
      // 1 ms cannot carry 50 MiB: the first MIGRATE times out, the retry measures the keys and gives
      // the big one 1 ms + 50 × 400 ms on its own.
      ServerMoverSettings options = SMALL.toBuilder().migrateTimeout(Duration.ofMillis(1))
          .timeoutPerMiB(Duration.ofMillis(400)).retryBackoff(Duration.ofMillis(10)).maxAttempts(4).build();
      List<Integer> batchSizes = new ArrayList<>();
      MoverListener listener = new MoverListener() {
        @Override
        public void onBatch(BatchReport report) {
          batchSizes.add(report.keys());
        }
      };
      try (ServerMover mover = MoverFixtures.mover(source, options, listener, MoverClock.SYSTEM)) {
        WalkResult r = mover.walk(Map.of(23, address(target)));
        assertThat(r.retries()).isPositive();
        assertThat(r.longestMigrate()).isPositive();
        assertThat(batchSizes).contains(1);
      }
      try (Jedis j = jedis(target, 0)) {
        assertThat(j.strlen(big)).isEqualTo(50L * 1024 * 1024);
      }
      Set<String> expected = new HashSet<>(keys(23, "small", 5));
      expected.add(big);
      assertThat(keysIn(target, 0)).isEqualTo(expected);
      assertThat(keysIn(source, 0)).isEmpty();
    }
  }

  @Test
  void aCancelledWalkStopsAndTheNextOneCompletes() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      List<String> keys = keys(24, "k", 500);
      load(source, 0, keys, "v");
      ServerMover[] self = new ServerMover[1];
      AtomicInteger batches = new AtomicInteger();
      MoverListener canceller = new MoverListener() {
        @Override
        public void onBatch(BatchReport report) {
          if (batches.incrementAndGet() == 3) {
            self[0].cancel();
          }
        }
      };
      ServerMoverSettings throttled = SMALL.toBuilder().pauseBetweenBatches(Duration.ofMillis(50)).build();
      try (ServerMover mover = MoverFixtures.mover(source, throttled, canceller, new MoverFixtures.FakeClock())) {
        self[0] = mover;
        assertThatThrownBy(() -> mover.walk(Map.of(24, address(target)))).isInstanceOf(CancellationException.class);
        assertThat(batches.get()).isLessThan(10);
        mover.throttle().setPauseBetweenBatches(Duration.ZERO);
        mover.walk(Map.of(24, address(target)));
      }
      assertThat(keysIn(target, 0)).containsExactlyInAnyOrderElementsOf(keys);
      assertThat(keysIn(source, 0)).isEmpty();
    }
  }

  @Test
  void interruptingTheWalkingThreadStopsTheWalk() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      List<String> keys = keys(25, "k", 500);
      load(source, 0, keys, "v");
      AtomicInteger batches = new AtomicInteger();
      MoverListener interrupter = new MoverListener() {
        @Override
        public void onBatch(BatchReport report) {
          if (batches.incrementAndGet() == 3) {
            Thread.currentThread().interrupt();
          }
        }
      };
      try (ServerMover mover = MoverFixtures.mover(source, SMALL, interrupter, MoverClock.SYSTEM)) {
        assertThatThrownBy(() -> mover.walk(Map.of(25, address(target)))).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
        assertThat(batches.get()).isLessThan(10);
        mover.walk(Map.of(25, address(target)));
      }
      assertThat(keysIn(target, 0)).containsExactlyInAnyOrderElementsOf(keys);
    }
  }
}
