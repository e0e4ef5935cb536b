package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.SlotHash;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * KEYS, SCAN and FLUSHALL while a slot migrates, the steps written to the topology by the test and the
 * keys moved by hand (the mover's job), as in {@link MigrationDataPathTest}: keys move from group 2 to
 * group 1 after SCAN has visited group 1 and before it visits group 2, which a plain walk over the
 * groups would miss; FLUSHALL is refused from PREPARING to FINISHED.
 */
class KeyspaceMigrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).migrationsPaused().perClass();
  private static final ByHand hand = new ByHand(fx);

  @Test
  void scanAndKeysFindKeysMovedBehindTheIterationAndFlushWaitsForTheMigration() throws Exception {
    String tag = fx.tagInGroup("s", 2);
    int slot = SlotHash.slot(tag.getBytes(StandardCharsets.UTF_8));
    RespSocket s = fx.socket();
    Set<Object> expected = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      String moving = tag + i;
      String g1 = fx.keyInGroup("one:" + i + ":", 1);
      for (String k : List.of(moving, g1)) {
        assertThat(s.call("SET", k, "v")).isEqualTo("OK");
        expected.add(k);
      }
    }
    // Through group 1 (position 0) with small steps; then the slot moves from group 2 to group 1.
    Set<Object> seen = new HashSet<>();
    String cursor = "0";
    do {
      List<?> reply = (List<?>) s.call("SCAN", cursor, "COUNT", "5");
      cursor = (String) reply.get(0);
      seen.addAll((List<?>) reply.get(1));
    } while (position(cursor) == 0 && !cursor.equals("0"));
    assertThat(cursor).isNotEqualTo("0");

    long epoch = fx.node().topology().epoch();
    hand.put(new SlotInfo(slot, SlotState.PREPARING, 2, 1, epoch + 1));
    hand.put(new SlotInfo(slot, SlotState.MIGRATING, 2, 1, epoch + 2));
    hand.await("slot migrating", () -> hand.route(slot).migrateFrom() != null);
    try (Jedis g2 = fx.direct(fx.master(2)); Jedis g1 = fx.direct(fx.master(1))) {
      for (int i = 0; i < 25; i++) {
        moveByHand(g2, g1, tag + i);
      }
      assertThat(s.call("FLUSHALL")).isEqualTo(new RespSocket.Err("ERR FLUSHALL is refused while slots migrate (slot "
          + slot + " from group 2 to group 1): a key copied before the flush could come back; try again once the"
          + " migrations are done"));
      assertThat(new HashSet<>((List<?>) s.call("KEYS", "*"))).isEqualTo(expected);
      for (int i = 25; i < 50; i++) {
        moveByHand(g2, g1, tag + i);
      }
    }
    hand.put(new SlotInfo(slot, SlotState.FINISHED, 2, 1, epoch + 3));
    assertThat(s.call("FLUSHDB")).isInstanceOf(RespSocket.Err.class);
    hand.put(SlotInfo.online(slot, 1, epoch + 4));
    // By its epoch: a FINISHED slot's route already goes straight to group 1, and FLUSHALL still refuses.
    hand.await("slot online at group 1", () -> hand.route(slot).epoch() == epoch + 4);
    assertThat(hand.route(slot).group()).isEqualTo(1);
    assertThat(hand.route(slot).direct()).isTrue();
    int calls = 0;
    while (!cursor.equals("0")) {
      List<?> reply = (List<?>) s.call("SCAN", cursor, "COUNT", "5");
      cursor = (String) reply.get(0);
      seen.addAll((List<?>) reply.get(1));
      assertThat(++calls).isLessThan(10_000);
    }
    assertThat(seen).isEqualTo(expected);
    assertThat(new HashSet<>((List<?>) s.call("KEYS", "*"))).isEqualTo(expected);
    assertThat(s.call("FLUSHALL")).isEqualTo("OK");
    assertThat(s.call("DBSIZE")).isEqualTo(0L);
  }

  /** The cursor's group position (see {@link ScanCommand}). */
  private static long position(String cursor) {
    return (Long.parseUnsignedLong(cursor) >>> 19) & 0x7FF;
  }

  private static void moveByHand(Jedis from, Jedis to, String key) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] dump = from.dump(k);
    to.restore(k, 0, dump);
    from.del(k);
  }
}
