package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.SlotHash;
import dev.rekko.topology.SlotState;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Blocked clients while their slot migrates for real (admin API: barrier, drain, key moves): the
 * blocked BLPOP is unblocked on the source and blocks again on the target, invisibly; a push after the
 * move reaches it exactly once; and consumers popping while producers push across migrations there and
 * back pop every value exactly once.
 */
class BlockingMigrationTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).perClass();

  @Test
  void aBlockedPopFollowsItsSlot() throws Exception {
    String k = fx.keyInGroup("follow", 1);
    int slot = SlotHash.slot(k.getBytes(StandardCharsets.UTF_8));
    try (Jedis g1 = fx.direct(fx.master(1)); Jedis g2 = fx.direct(fx.master(2)); Jedis client = fx.jedis()) {
      CompletableFuture<Object> blocked = TestThreads.supply(() -> fx.socket().call("BLPOP", k, "0"));
      BlockingCommandsTest.awaitBlocked(g1, 1);
      migrate(slot, 2);
      BlockingCommandsTest.awaitBlocked(g2, 1);
      assertThat(BlockingCommandsTest.blockedClients(g1)).isZero();
      assertThat(blocked).isNotDone();
      client.lpush(k, "v");
      assertThat(blocked.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(List.of(k, "v"));
      assertThat(client.llen(k)).isZero();
      assertThat(g1.exists(k)).isFalse();
      assertThat(g2.exists(k)).isFalse();
      // And back, with a timeout: the client still gets nil once its own time is up, not before.
      CompletableFuture<Object> timed = TestThreads.supply(() -> fx.socket().call("BLPOP", k, "3"));
      BlockingCommandsTest.awaitBlocked(g2, 1);
      migrate(slot, 1);
      assertThat(timed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNull();
      assertThat(fx.node().context().blocking.inUse()).isZero();
    }
  }

  @Test
  void consumersAndProducersAcrossMigrationsLoseAndDuplicateNothing() throws Exception {
    String k = fx.keyInGroup("queue", 1);
    int slot = SlotHash.slot(k.getBytes(StandardCharsets.UTF_8));
    ConcurrentHashMap<String, Integer> popped = new ConcurrentHashMap<>();
    AtomicInteger count = new AtomicInteger();
    AtomicInteger pushed = new AtomicInteger();
    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicBoolean stop = new AtomicBoolean();
    List<CompletableFuture<Void>> consumers = new ArrayList<>();
    List<CompletableFuture<Void>> producers = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      consumers.add(TestThreads.fork(() -> {
        RespSocket s = fx.socket();
        while (!stop.get()) {
          Object r = s.call("BLPOP", k, "0.5");
          if (r != null) {
            popped.merge((String) ((List<?>) r).get(1), 1, Integer::sum);
            count.incrementAndGet();
          }
        }
      }));
    }
    // Producers push slowly for as long as the slot migrates, so pops and pushes meet every step.
    for (int p = 0; p < 2; p++) {
      String name = "p" + p + "-";
      producers.add(TestThreads.fork(() -> {
        try (Jedis j = fx.jedis()) {
          for (int i = 0; producing.get(); i++) {
            j.rpush(k, name + i);
            pushed.incrementAndGet();
            Thread.sleep(3);
          }
        }
      }));
    }
    try {
      migrate(slot, 2);
      migrate(slot, 1);
      migrate(slot, 2);
      producing.set(false);
      for (CompletableFuture<Void> w : producers) {
        w.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      int values = pushed.get();
      assertThat(ProxyFixture.await(WAIT, () -> count.get() >= values)).as("popped %s of %d", count, values)
          .isTrue();
    } finally {
      producing.set(false);
      stop.set(true);
    }
    for (CompletableFuture<Void> w : consumers) {
      w.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    assertThat(popped).hasSize(pushed.get());
    assertThat(count.get()).isEqualTo(pushed.get());
    assertThat(popped.values()).allMatch(n -> n == 1);
    try (Jedis client = fx.jedis()) {
      assertThat(client.llen(k)).isZero();
    }
  }

  /**
   * Migrates one slot with the admin API and waits until the node routes it straight to {@code group} and
   * the topology shows it online there: a FINISHED slot is routed to its target already, but a migration
   * asked for before it is ONLINE is refused.
   */
  private static void migrate(int slot, int group) throws Exception {
    HttpResponse<String> r = NodeApi.post(fx.node(), "/api/slots/migrate",
        "{\"from\":" + slot + ",\"to\":" + slot + ",\"group\":" + group + "}");
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    assertThat(ProxyFixture.await(WAIT, () -> {
      SlotRoute route = fx.node().context().router().loaded().route(slot);
      var info = fx.node().topology().slot(slot);
      return route.direct() && route.group() == group && info.state() == SlotState.ONLINE && info.group() == group;
    })).as("slot %d served by group %d", slot, group).isTrue();
  }
}
