package dev.rekko.redis.migrate;

import static dev.rekko.redis.migrate.MoverFixtures.address;
import static dev.rekko.redis.migrate.MoverFixtures.keys;
import static dev.rekko.redis.migrate.MoverFixtures.keysIn;
import static dev.rekko.redis.migrate.MoverFixtures.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.redis.launcher.RedisServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The throttle asks for the right pauses; a fake clock records them instead of waiting. */
class ThrottleTest {
  private static final long MS = 1_000_000L;

  @Test
  void aKeyRateSpacesBatchesByTheirSize() throws Exception {
    MoverFixtures.FakeClock clock = new MoverFixtures.FakeClock();
    Throttle t = new Throttle(clock, 1000, Duration.ZERO);
    for (int i = 0; i < 10; i++) {
      t.acquire(100, () -> false);
    }
    // The first batch goes at once; each following one waits for the previous 100 keys' 100 ms.
    assertThat(clock.sleptNanos()).isEqualTo(900 * MS);
    assertThat(t.paused()).isEqualTo(Duration.ofMillis(900));
  }

  @Test
  void aPauseSeparatesBatchesAndTheLongerRuleWins() throws Exception {
    MoverFixtures.FakeClock clock = new MoverFixtures.FakeClock();
    Throttle t = new Throttle(clock, 0, Duration.ofMillis(30));
    for (int i = 0; i < 5; i++) {
      t.acquire(1, () -> false);
    }
    assertThat(clock.sleptNanos()).isEqualTo(4 * 30 * MS);

    t.setMaxKeysPerSecond(100); // 10 keys need 100 ms, more than the 30 ms pause
    long before = clock.sleptNanos();
    t.acquire(10, () -> false);
    t.acquire(10, () -> false);
    assertThat(clock.sleptNanos() - before).isEqualTo(30 * MS + 100 * MS);
  }

  @Test
  void changesApplyToTheNextBatch() throws Exception {
    MoverFixtures.FakeClock clock = new MoverFixtures.FakeClock();
    Throttle t = new Throttle(clock, 10, Duration.ZERO);
    t.acquire(100, () -> false); // books 10 s
    t.setMaxKeysPerSecond(0);
    t.acquire(100, () -> false);
    assertThat(clock.sleptNanos()).isZero();
    t.setMaxKeysPerSecond(1000); // the old debt does not hold a raised cap back
    t.acquire(100, () -> false);
    assertThat(clock.sleptNanos()).isZero();
    assertThatThrownBy(() -> t.setMaxKeysPerSecond(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aCancelledWalkStopsWaiting() throws Exception {
    MoverFixtures.FakeClock clock = new MoverFixtures.FakeClock();
    Throttle t = new Throttle(clock, 1, Duration.ZERO);
    t.acquire(3600, () -> false);
    AtomicInteger checks = new AtomicInteger();
    assertThatThrownBy(() -> t.acquire(1, () -> checks.incrementAndGet() > 3))
        .isInstanceOf(CancellationException.class);
    // Waited in slices of at most 100 ms, not the hour it was owed.
    assertThat(clock.sleptNanos()).isEqualTo(300 * MS);
  }

  @Test
  void aWalkObeysTheCapAndARateChangedWhileItRuns() throws Exception {
    try (RedisServer source = RedisServer.builder().start(); RedisServer target = RedisServer.builder().start()) {
      load(source, 0, keys(30, "k", 1000), "v");
      MoverFixtures.FakeClock clock = new MoverFixtures.FakeClock();
      // MIGRATE batches of 100 (copy lanes 0), so that the count below is exact.
      ServerMoverSettings options = ServerMoverSettings.builder().batchKeys(100).maxKeysPerSecond(1000).copyLanes(0).build();
      ServerMover[] self = new ServerMover[1];
      AtomicInteger batches = new AtomicInteger();
      MoverListener lifter = new MoverListener() {
        @Override
        public void onBatch(BatchReport report) {
          if (batches.incrementAndGet() == 5) {
            self[0].throttle().setMaxKeysPerSecond(0);
          }
        }
      };
      try (ServerMover mover = MoverFixtures.mover(source, options, lifter, clock)) {
        self[0] = mover;
        WalkResult r = mover.walk(Map.of(30, address(target)));
        assertThat(r.keysMoved()).isGreaterThanOrEqualTo(1000);
      }
      // Batches of 100; the cap held for those sent before the fifth reply (five or six of them with a
      // pipeline of two; a key SCAN returns twice can make a batch's 100 include a repeat), then was lifted.
      assertThat(clock.sleptNanos()).isBetween(400 * MS, 600 * MS);
      assertThat(keysIn(target, 0)).hasSize(1000);
    }
  }
}
