package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.SlotHash;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * A big key touched while its slot migrates: the node's MIGRATE of it times out with the mover's base
 * timeout (1 ms here), then goes again with a timeout scaled to the key's size, as the mover's does, and
 * the command runs on the target. With the base timeout alone the command would fail.
 */
class MigrationBigKeyTest {
  private static final int MIB = 1024 * 1024;
  // The test plays the slot actor: the movers must not move the key behind its back.
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2)
      .set("rekko.migration.mover.migrate-timeout", "1ms")
      .set("rekko.migration.mover.timeout-per-mib", "200ms")
      .migrationsPaused()
      .perClass();

  @Test
  void aBigKeyTouchedMidMigrationMovesWithATimeoutForItsSize() throws Exception {
    String tag = fx.tagInGroup("b", 1);
    String big = tag + "big";
    int slot = SlotHash.slot(big.getBytes(StandardCharsets.UTF_8));
    byte[] value = new byte[30 * MIB];
    Arrays.fill(value, (byte) 'x');
    try (Jedis client = fx.jedis(); Jedis g1 = fx.direct(fx.master(1)); Jedis g2 = fx.direct(fx.master(2))) {
      g1.set(big.getBytes(StandardCharsets.UTF_8), value);

      long epoch = fx.node().topology().epoch();
      fx.node().cluster().writer().putSlots(List.of(new SlotInfo(slot, SlotState.MIGRATING, 1, 2, epoch + 1)))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(ProxyFixture.await(Duration.ofSeconds(30),
          () -> fx.node().context().router().loaded().route(slot).migrateFrom() != null)).isTrue();

      assertThat(client.strlen(big)).isEqualTo(value.length);
      assertThat(g1.exists(big)).as("gone from the source").isFalse();
      assertThat(g2.strlen(big)).isEqualTo(value.length);
    }
  }
}
