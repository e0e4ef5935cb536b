package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.SlotHash;
import dev.rekko.slots.Barrier;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Transactions on a slot while it migrates, the steps written to the topology by the test and the
 * barrier asked of the node's agent, as in {@link MigrationDataPathTest}: clients keep running
 * {@code MULTI; INCR a; INCR b; EXEC} (some under WATCH) through every step. A transaction either ran whole
 * on the source before the barrier was confirmed or whole on the target after its keys moved: every EXEC
 * sees a == b, the source holds a == b at the barrier, and the final counts equal the acknowledged
 * transactions (0 lost, 0 extra). A WATCH taken before the migration gives a nil EXEC after it started.
 */
class TransactionMigrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  // The test plays the slot actor: the coordinator's movers must not finish the migration behind its back.
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).migrationsPaused().perClass();
  private static final ByHand hand = new ByHand(fx);

  @Test
  void transactionsRunWholeOnOneOwnerAcrossTheMigration() throws Exception {
    String tag = fx.tagInGroup("x", 1);
    String a = tag + "a";
    String b = tag + "b";
    String w = tag + "w";
    int slot = SlotHash.slot(a.getBytes(StandardCharsets.UTF_8));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong acknowledged = new AtomicLong();
    List<CompletableFuture<Void>> clients = new ArrayList<>();
    for (int c = 0; c < 6; c++) {
      boolean watching = c % 3 == 0;
      clients.add(TestThreads.fork(() -> {
        try (RespSocket s = fx.socket()) {
          while (!stop.get()) {
            if (watching) {
              assertThat(s.call("WATCH", a)).isEqualTo("OK");
            }
            assertThat(s.call("MULTI")).isEqualTo("OK");
            assertThat(s.call("INCR", a)).isEqualTo("QUEUED");
            assertThat(s.call("INCR", b)).isEqualTo("QUEUED");
            Object exec = s.call("EXEC");
            if (exec == null) {
              assertThat(watching).as("only a watching client gets a nil EXEC").isTrue();
              continue;
            }
            List<?> pair = (List<?>) exec;
            assertThat(pair.get(0)).as("a transaction half applied").isEqualTo(pair.get(1));
            acknowledged.incrementAndGet();
          }
        }
      }));
    }
    try (Jedis g1 = fx.direct(fx.master(1)); Jedis g2 = fx.direct(fx.master(2));
        RespSocket watcher = fx.socket(); RespSocket lateWatcher = fx.socket(); RespSocket held = fx.socket()) {
      awaitProgress(acknowledged, clients, 200);
      assertThat(watcher.call("WATCH", w)).isEqualTo("OK");

      long epoch = fx.node().topology().epoch();
      hand.put(new SlotInfo(slot, SlotState.PREPARING, 1, 2, epoch + 1));
      hand.await("route held", () -> hand.route(slot).hold());
      // A WATCH while held waits with the slot's commands, and is taken on the target after the move.
      lateWatcher.send("WATCH", w);
      // A transaction while held waits whole, as one entry of the session's deferred queue.
      assertThat(held.call("MULTI")).isEqualTo("OK");
      assertThat(held.call("INCR", a)).isEqualTo("QUEUED");
      assertThat(held.call("INCR", b)).isEqualTo("QUEUED");
      held.send("EXEC");
      CompletableFuture<Object> heldExec = TestThreads.supply(held::read);
      Barrier.Drained drained = hand.barrier(slot, epoch + 1);
      assertThat(drained.slot()).isEqualTo(slot);
      assertThat(heldExec).isNotDone();
      // Nothing runs on the source any more: what it holds is whole transactions.
      assertThat(g1.get(a)).isEqualTo(g1.get(b));

      hand.put(new SlotInfo(slot, SlotState.MIGRATING, 1, 2, epoch + 2));
      hand.await("slot migrating", () -> hand.route(slot).migrateFrom() != null);
      List<?> pair = (List<?>) heldExec.get(30, TimeUnit.SECONDS);
      assertThat(pair.get(0)).isEqualTo(pair.get(1));
      acknowledged.incrementAndGet();
      assertThat(g1.exists(a, b)).as("moved to the target before the block ran there").isZero();
      assertThat(lateWatcher.read()).isEqualTo("OK");
      assertThat(watcher.call("MULTI")).isEqualTo("OK");
      assertThat(watcher.call("INCR", w)).isEqualTo("QUEUED");
      assertThat(watcher.call("EXEC")).as("the WATCH was taken on the source").isNull();
      assertThat(lateWatcher.call("MULTI")).isEqualTo("OK");
      assertThat(lateWatcher.call("INCR", w)).isEqualTo("QUEUED");
      assertThat(lateWatcher.call("EXEC")).isEqualTo(List.of(1L));
      awaitProgress(acknowledged, clients, 200);

      hand.put(new SlotInfo(slot, SlotState.FINISHED, 1, 2, epoch + 3));
      hand.put(SlotInfo.online(slot, 2, epoch + 4));
      hand.await("online at group 2", () -> hand.route(slot).epoch() == epoch + 4);
      assertThat(hand.route(slot).direct()).isTrue();
      assertThat(hand.route(slot).group()).isEqualTo(2);
      awaitProgress(acknowledged, clients, 200);
      stop.set(true);
      CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

      String total = Long.toString(acknowledged.get());
      assertThat(g2.mget(a, b)).containsExactly(total, total);
      assertThat(g1.exists(a, b, w)).isZero();
      assertThat(g2.get(w)).isEqualTo("1");
    } finally {
      stop.set(true);
    }
  }

  /** Waits until {@code more} further transactions were acknowledged; fails early if a client failed. */
  private static void awaitProgress(AtomicLong acknowledged, List<CompletableFuture<Void>> clients, long more)
      throws Exception {
    long target = acknowledged.get() + more;
    hand.await(more + " more transactions", () -> acknowledged.get() >= target
        || clients.stream().anyMatch(CompletableFuture::isDone));
    for (CompletableFuture<Void> c : clients) {
      if (c.isDone()) {
        c.get();
      }
    }
  }
}
