package dev.rekko.node.proxy;

import static dev.rekko.node.proxy.SessionHarness.slot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A command of a migrating slot whose keys the target already holds while the source still has a stale
 * copy (as after a failover of the source that lost the DEL of keys already moved, and written on the
 * target since): its {@code MIGRATE} is answered {@code BUSYKEY}, the source's copies of the keys the
 * target holds are deleted, and the command runs on the target, against the target's values.
 */
class DeferredBusyKeyTest {
  private SessionHarness h;
  private Jedis source;
  private Jedis target;

  @BeforeEach
  void start() {
    h = new SessionHarness(Map.of());
    source = h.direct(h.g1);
    target = h.direct(h.g2);
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private void migrating(String key) {
    h.route(new SlotInfo(slot(key), SlotState.MIGRATING, 1, 2, 2));
  }

  @Test
  void aReadGetsTheTargetsValueAndTheSourcesStaleCopyIsGone() throws Exception {
    source.set("a", "stale");
    target.set("a", "newer");
    migrating("a");
    assertThat(h.reply(h.send("GET", "a"))).isEqualTo("$5\r\nnewer");
    assertThat(source.exists("a")).isFalse();
    assertThat(target.get("a")).isEqualTo("newer");
    assertThat(source.info("commandstats")).contains("cmdstat_migrate:calls=1,").contains("cmdstat_del:calls=1,");
  }

  @Test
  void aDeleteOnTheTargetIsNotUndoneByALaterMove() throws Exception {
    source.set("a", "stale");
    target.set("a", "newer");
    migrating("a");
    assertThat(h.reply(h.send("DEL", "a"))).isEqualTo(":1");
    assertThat(h.reply(h.send("GET", "a"))).as("the stale copy did not come back").isEqualTo("$-1");
    assertThat(source.exists("a")).isFalse();
    assertThat(target.exists("a")).isFalse();
  }

  @Test
  void aCommandOfSeveralKeysMovesThoseOnlyOnTheSourceAndKeepsThoseOnTheTarget() throws Exception {
    source.mset("{t}both", "stale", "{t}source", "s");
    target.mset("{t}both", "newer", "{t}target", "t");
    migrating("{t}both");
    assertThat(h.reply(h.send("MGET", "{t}both", "{t}source", "{t}target")))
        .isEqualTo("*3\r\n$5\r\nnewer\r\n$1\r\ns\r\n$1\r\nt");
    assertThat(source.keys("*")).isEmpty();
    // The target held every key once the MIGRATE had moved {t}source: no second MIGRATE.
    assertThat(source.info("commandstats")).contains("cmdstat_migrate:calls=1,");
  }

  @Test
  void keysTheTargetDoesNotHoldAreMovedAgainAfterTheStaleCopiesAreDeleted() throws Exception {
    source.set("{t}both", "stale");
    target.set("{t}both", "newer");
    migrating("{t}both");
    assertThat(h.reply(h.send("MGET", "{t}both", "{t}nowhere"))).isEqualTo("*2\r\n$5\r\nnewer\r\n$-1");
    assertThat(h.reply(h.send("SET", "{t}nowhere", "n"))).isEqualTo("+OK");
    assertThat(source.keys("*")).isEmpty();
    assertThat(target.mget("{t}both", "{t}nowhere")).containsExactly("newer", "n");
    assertThat(target.info("commandstats")).contains("cmdstat_exists:calls=2,");
  }
}
