package dev.rekko.redis.migrate;

import static dev.rekko.redis.migrate.MoverFixtures.address;
import static dev.rekko.redis.migrate.MoverFixtures.jedis;
import static dev.rekko.redis.migrate.MoverFixtures.keys;
import static dev.rekko.redis.migrate.MoverFixtures.keysIn;
import static dev.rekko.redis.migrate.MoverFixtures.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** The mover yields to clients of its source: short MIGRATEs one at a time while they send commands. */
class SourceLoadTest {
  @RegisterExtension
  static final SourceAndTarget redis = new SourceAndTarget(false);

  @Test
  void countsEveryCommandButPingFromInfoCommandstats() throws IOException {
    assertThat(SourceLoad.parseCounted("# Commandstats\r\n"
        + "cmdstat_get:calls=4700,usec=10,usec_per_call=0.00,rejected_calls=0,failed_calls=0\r\n"
        + "cmdstat_ping:calls=13000,usec=1,usec_per_call=0.00,rejected_calls=0,failed_calls=0\r\n"
        + "cmdstat_client|setname:calls=11,usec=1,usec_per_call=0.09,rejected_calls=0,failed_calls=0\r\n"))
        .isEqualTo(4711);
    assertThatThrownBy(() -> SourceLoad.parseCounted("# Commandstats\r\n")).isInstanceOf(IOException.class);
  }

  @Test
  void pingsFromOthersDoNotMakeTheMoverYield() throws Exception {
    ServerMoverSettings options = ServerMoverSettings.builder().yieldAbove(500).loadProbeInterval(Duration.ofMillis(20)).build();
    try (SourceLoad load = new SourceLoad(address(redis.source()), Credentials.NONE, options);
        Jedis client = jedis(redis.source(), 0)) {
      load.start();
      AtomicBoolean done = new AtomicBoolean();
      Thread pings = traffic(client, Jedis::ping, done::get);
      await("samples", () -> load.samples() >= 10);
      done.set(true);
      pings.join();
      assertThat(load.yielding()).isFalse();
    }
  }

  @Test
  void yieldsWhileOthersSendCommandsAndNotForTheMoversOwn() throws Exception {
    ServerMoverSettings options = ServerMoverSettings.builder().yieldAbove(500).loadProbeInterval(Duration.ofMillis(20)).build();
    try (SourceLoad load = new SourceLoad(address(redis.source()), Credentials.NONE, options);
        Jedis own = jedis(redis.source(), 0)) {
      load.start();
      // The mover's own commands, counted as its own, do not make it yield.
      AtomicBoolean ownDone = new AtomicBoolean();
      Thread mine = traffic(own, () -> {
        load.own.incrementAndGet();
        return ownDone.get();
      });
      await("samples", () -> load.samples() >= 10);
      ownDone.set(true);
      mine.join();
      assertThat(load.yielding()).isFalse();

      AtomicBoolean othersDone = new AtomicBoolean();
      try (Jedis client = jedis(redis.source(), 0)) {
        Thread theirs = traffic(client, othersDone::get);
        await("yielding", load::yielding);
        assertThat(load.othersPerSecond()).isGreaterThan(500);
        othersDone.set(true);
        theirs.join();
      }
      await("back to full batches", () -> !load.yielding());
    }
  }

  @Test
  void whileYieldingAWalkCutsItsBatchesAndStillMovesEveryKey() throws Exception {
    Set<String> leaving = new HashSet<>();
    Map<Integer, dev.rekko.redis.backend.BackendAddress> slots = new HashMap<>();
    for (int slot = 0; slot < 5; slot++) {
      List<String> k = keys(slot, "y" + slot, 500);
      load(redis.source(), 0, k, "v");
      leaving.addAll(k);
      slots.put(slot, address(redis.target()));
    }
    // MIGRATE batches (copy lanes 0); CopierTest covers the rounds of the copy lanes.
    ServerMoverSettings options = ServerMoverSettings.builder().batchKeys(1000).scanCount(2500).yieldAbove(0)
        .yieldBatchKeys(100).copyLanes(0).build();
    try (ServerMover mover = MoverFixtures.mover(redis.source(), options, null, MoverClock.SYSTEM)) {
      mover.load().force(true);
      WalkResult r = mover.walk(slots);
      assertThat(r.keysMoved()).isEqualTo(2500);
      assertThat(r.batches()).isEqualTo(25);
      assertThat(keysIn(redis.target(), 0)).isEqualTo(leaving);
      assertThat(keysIn(redis.source(), 0)).isEmpty();

      // The same walk without yielding sends full batches.
      for (int slot = 0; slot < 5; slot++) {
        load(redis.source(), 0, keys(slot, "z" + slot, 500), "v");
      }
      mover.load().force(false);
      assertThat(mover.walk(slots).batches()).isEqualTo(3);
    }
  }

  /** Sends EXISTS on {@code jedis} until {@code done} says so; each round first runs {@code done}. */
  private static Thread traffic(Jedis jedis, BooleanSupplier done) {
    return traffic(jedis, j -> j.exists("x"), done);
  }

  /** Runs {@code command} on {@code jedis} until {@code done} says so; each round first runs {@code done}. */
  private static Thread traffic(Jedis jedis, java.util.function.Consumer<Jedis> command, BooleanSupplier done) {
    Thread t = new Thread(() -> {
      while (!done.getAsBoolean()) {
        command.accept(jedis);
      }
    }, "traffic");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }
}
