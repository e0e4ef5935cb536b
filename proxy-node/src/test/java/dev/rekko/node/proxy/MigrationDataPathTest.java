package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.SlotHash;
import dev.rekko.slots.Barrier;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The data path through every step of one slot's migration, with the steps written to the topology by
 * the test (the slot actor's job): commands are held at the barrier and then run in order; the barrier
 * agent answers; while migrating, a command's keys move from the source to the target just before it
 * runs there, in its database, with their TTL; afterwards the target serves alone.
 */
class MigrationDataPathTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  // This test plays the slot actor's part by writing the steps itself: the coordinator's movers must
  // not finish the migration behind its back.
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).migrationsPaused().perClass();
  private static final ByHand hand = new ByHand(fx);

  @Test
  void aSlotMigratesUnderTheClientsFeet() throws Exception {
    String tag = fx.tagInGroup("m", 1);
    String a = tag + "a";
    int slot = SlotHash.slot(a.getBytes(StandardCharsets.UTF_8));
    String b = tag + "b";
    String ttl = tag + "ttl";
    try (Jedis client = fx.jedis(); Jedis g1 = fx.direct(fx.master(1)); Jedis g2 = fx.direct(fx.master(2))) {
      client.set(a, "1");
      client.set(b, "x");
      client.setex(ttl, 100, "t");
      client.select(3);
      client.set(a, "db3");
      client.select(0);
      assertThat(g1.get(a)).isEqualTo("1");

      long epoch = fx.node().topology().epoch();
      hand.put(new SlotInfo(slot, SlotState.PREPARING, 1, 2, epoch + 1));
      hand.await("route held", () -> hand.route(slot).hold());

      CompletableFuture<Long> held = TestThreads.supply(() -> {
        try (Jedis other = fx.jedis()) {
          return other.incr(a);
        }
      });
      hand.await("the INCR is held", () -> fx.node().context().sessions.stream().anyMatch(Session::hasDeferred));
      Barrier.Drained drained = hand.barrier(slot, epoch + 1);
      assertThat(drained.slot()).isEqualTo(slot);
      assertThat(held).isNotDone();

      hand.put(new SlotInfo(slot, SlotState.MIGRATING, 1, 2, epoch + 2));
      assertThat(held.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(g2.get(a)).isEqualTo("2");
      assertThat(g1.exists(a)).isFalse();
      assertThat(g1.get(b)).as("not touched yet").isEqualTo("x");

      assertThat(client.get(b)).isEqualTo("x");
      assertThat(g1.exists(b)).isFalse();
      assertThat(g2.get(b)).isEqualTo("x");
      assertThat(client.ttl(ttl)).isBetween(90L, 100L);
      assertThat(g2.ttl(ttl)).isBetween(90L, 100L);
      assertThat(client.mget(a, b, fx.keyInGroup("other", 2))).containsExactly("2", "x", null);
      for (int i = 0; i < 100; i++) {
        assertThat(client.incr(a)).isEqualTo(3 + i);
      }
      client.select(3);
      assertThat(client.get(a)).isEqualTo("db3");
      g1.select(3);
      g2.select(3);
      assertThat(g1.exists(a)).isFalse();
      assertThat(g2.get(a)).isEqualTo("db3");
      client.select(0);

      hand.put(new SlotInfo(slot, SlotState.FINISHED, 1, 2, epoch + 3));
      hand.put(SlotInfo.online(slot, 2, epoch + 4));
      hand.await("online at group 2", () -> hand.route(slot).epoch() == epoch + 4);
      assertThat(hand.route(slot).direct()).isTrue();
      assertThat(hand.route(slot).group()).isEqualTo(2);
      assertThat(client.incr(a)).isEqualTo(103);
    }
  }
}
