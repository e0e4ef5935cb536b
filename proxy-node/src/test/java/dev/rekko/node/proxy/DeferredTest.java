package dev.rekko.node.proxy;

import static dev.rekko.node.proxy.SessionHarness.slot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.Errors;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A session's deferred commands ({@link Deferred}): what each entry keeps, the order they run in, and
 * every way one fails, against real servers (group 1's master is the source, group 2's the target).
 */
class DeferredTest {
  private SessionHarness h;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  private SessionHarness harness(Map<String, String> settings) {
    h = new SessionHarness(settings);
    return h;
  }

  private static SlotInfo at(String key, SlotState state, long epoch) {
    return new SlotInfo(slot(key), state, 1, 2, epoch);
  }

  @Test
  void heldCommandsOfASlotRunInArrivalOrder() throws Exception {
    harness(Map.of());
    Jedis g1 = h.direct(h.g1);
    Jedis g2 = h.direct(h.g2);
    g1.set("a", "1");
    h.route(at("a", SlotState.BARRIER, 2));
    List<Pending> held = List.of(h.send("INCR", "a"), h.send("APPEND", "a", "x"), h.send("GET", "a"),
        h.send("SET", "a", "5"), h.send("INCR", "a"));
    h.drive();
    assertThat(held).noneMatch(p -> p.done);

    h.route(at("a", SlotState.MIGRATING, 3));
    assertThat(h.reply(held.get(4))).isEqualTo(":6");
    assertThat(held).extracting(SessionHarness::text).containsExactly(":2", ":2", "$2\r\n2x", "+OK", ":6");
    assertThat(g2.get("a")).isEqualTo("6");
    assertThat(h.session.hasDeferred()).isFalse();
  }

  @Test
  void aHeldSlotDoesNotHoldUpAnother() throws Exception {
    harness(Map.of());
    h.direct(h.g1).set("b", "B");
    h.route(at("a", SlotState.BARRIER, 2), at("b", SlotState.MIGRATING, 2));
    Pending a = h.send("GET", "a");
    Pending b = h.send("GET", "b");
    assertThat(h.reply(b)).isEqualTo("$1\r\nB");
    assertThat(a.done).isFalse();
    assertThat(h.session.hasDeferred()).isTrue();
  }

  @Test
  void anEntryRunsInTheDatabaseItWasSentIn() throws Exception {
    harness(Map.of());
    Jedis g1 = h.direct(h.g1);
    Jedis g2 = h.direct(h.g2);
    g1.select(3);
    g1.set("a", "db3");
    h.route(at("a", SlotState.BARRIER, 2));
    h.send("SELECT", "3");
    Pending get = h.send("GET", "a");
    h.send("SELECT", "0");
    h.route(at("a", SlotState.MIGRATING, 3));
    assertThat(h.reply(get)).isEqualTo("$3\r\ndb3");
    g2.select(3);
    assertThat(g2.get("a")).isEqualTo("db3");
    assertThat(g1.exists("a")).isFalse();
  }

  @Test
  void aKeyThatIsNowhereIsNoObstacle() throws Exception {
    harness(Map.of());
    h.route(at("a", SlotState.MIGRATING, 2));
    assertThat(h.reply(h.send("GET", "a"))).isEqualTo("$-1");
    assertThat(h.reply(h.send("SET", "a", "new"))).isEqualTo("+OK");
    assertThat(h.direct(h.g2).get("a")).isEqualTo("new");
  }

  @Test
  void aSlotThatMovesOnWhileItsKeysMoveStartsOverFromTheNewSource() throws Exception {
    harness(Map.of());
    Jedis g1 = h.direct(h.g1);
    Jedis g2 = h.direct(h.g2);
    g1.set("a", "v");
    h.route(at("a", SlotState.MIGRATING, 2));
    Pending get = h.send("GET", "a");
    h.awaitWakeUp();
    assertThat(g2.get("a")).as("the MIGRATE was answered").isEqualTo("v");
    // Before the GET went, a next migration took the slot back to group 1: the keys follow it.
    h.route(new SlotInfo(slot("a"), SlotState.MIGRATING, 2, 1, 3));
    assertThat(h.reply(get)).isEqualTo("$1\r\nv");
    assertThat(g1.get("a")).isEqualTo("v");
    assertThat(g2.exists("a")).isFalse();
  }

  @Test
  void aSlotOfAGroupThisNodeHasNotLearnedOfWaitsForIt() throws Exception {
    harness(Map.of());
    // The slot maps and the groups map reach a node separately: here the slot's route came first.
    h.route(SlotInfo.online(slot("a"), 3, 2));
    Pending set = h.send("SET", "a", "v");
    h.drive();
    assertThat(set.done).as("held, not refused with 'slot is not ready'").isFalse();
    h.group(new GroupInfo(3, List.of(ServerInfo.master(h.g2.address())), false, 1));
    h.route(SlotInfo.online(slot("a"), 3, 2));
    assertThat(h.reply(set)).isEqualTo("+OK");
    assertThat(h.direct(h.g2).get("a")).isEqualTo("v");
  }

  @Test
  void aCommandWaitingLongerThanTheHoldTimeoutForAnUnknownGroupSaysSo() throws Exception {
    harness(Map.of("rekko.migration.hold-timeout", "50ms"));
    h.route(SlotInfo.online(slot("a"), 3, 2));
    assertThat(h.reply(h.send("GET", "a"))).isEqualTo("-ERR slot " + slot("a")
        + " is served by group 3, whose servers this node has not learned of for 50 ms, try again");
  }

  @Test
  void aCommandHeldLongerThanTheHoldTimeoutFails() throws Exception {
    harness(Map.of("rekko.migration.hold-timeout", "50ms"));
    h.route(at("a", SlotState.BARRIER, 2));
    assertThat(h.reply(h.send("GET", "a")))
        .isEqualTo("-ERR slot " + slot("a") + " is at a migration barrier for longer than 50 ms, try again");
    assertThat(h.session.hasDeferred()).isFalse();
  }

  @Test
  void aHeldCommandWhoseSlotGoesOfflineFails() throws Exception {
    harness(Map.of());
    h.route(at("a", SlotState.BARRIER, 2));
    Pending get = h.send("GET", "a");
    h.route(SlotInfo.offline(slot("a")));
    assertThat(h.reply(get)).isEqualTo("-" + Errors.SLOT_NOT_READY);
  }

  @Test
  void aFencedNodeRefusesWhatItHolds() throws Exception {
    harness(Map.of());
    h.route(at("a", SlotState.BARRIER, 2));
    Pending get = h.send("GET", "a");
    h.fence();
    assertThat(h.reply(get)).isEqualTo("-" + Router.FENCED);
  }

  @Test
  void aMigrateTheTargetCannotTakeIsTriedOnceMoreWithSizesThenFails() throws Exception {
    harness(Map.of("rekko.migration.mover.migrate-timeout", "200ms"));
    Jedis g1 = h.direct(h.g1);
    g1.set("a", "v");
    String target = h.g2.address();
    h.g2.stop();
    h.route(at("a", SlotState.MIGRATING, 2));
    assertThat(h.reply(h.send("GET", "a")))
        .startsWith("-ERR slot " + slot("a") + " is migrating and moving its keys from " + h.g1.address() + " to "
            + target + " failed: IOERR");
    assertThat(g1.get("a")).as("still on the source").isEqualTo("v");
    String stats = g1.info("commandstats");
    assertThat(stats).contains("cmdstat_migrate:calls=2,").containsPattern("cmdstat_memory(\\|usage)?:calls=1,");
    assertThat(h.session.hasDeferred()).isFalse();
  }

  @Test
  void aMigrateOnASourceThatIsDownFails() throws Exception {
    harness(Map.of());
    h.route(at("a", SlotState.MIGRATING, 2));
    h.g1.stop();
    assertThat(h.reply(h.send("GET", "a")))
        .startsWith("-ERR slot " + slot("a") + " is migrating and moving its keys from " + h.g1.address())
        .contains("failed: ERR backend " + h.g1.address());
  }

  @Test
  void aFailedEntryDoesNotHoldUpTheNextCommandOfItsSlot() throws Exception {
    harness(Map.of("rekko.migration.hold-timeout", "50ms"));
    h.route(at("a", SlotState.BARRIER, 2));
    Pending first = h.send("GET", "a");
    assertThat(h.reply(first)).startsWith("-ERR slot ");
    h.route(at("a", SlotState.MIGRATING, 3));
    assertThat(h.reply(h.send("SET", "a", "1"))).isEqualTo("+OK");
    assertThat(h.direct(h.g2).get("a")).isEqualTo("1");
  }

  @Test
  void aCommandHeldForASwitchingGroupGoesToTheNewMaster() throws Exception {
    harness(Map.of());
    Jedis g1 = h.direct(h.g1);
    Jedis g2 = h.direct(h.g2);
    GroupInfo one = new GroupInfo(1, List.of(ServerInfo.master(h.g1.address())), false, 1);
    h.group(one.withSwitching(true, 2));
    h.route();
    Pending set = h.send("SET", "a", "1");
    Pending get = h.send("GET", "a");
    h.drive();
    assertThat(set.done).isFalse();
    assertThat(get.done).isFalse();
    // The new master of group 1 is g2's server (as after a failover); g1 is no longer written.
    h.group(new GroupInfo(1, List.of(ServerInfo.master(h.g2.address()), ServerInfo.replica(h.g1.address())),
        false, 3));
    h.route();
    assertThat(h.reply(set)).isEqualTo("+OK");
    assertThat(h.reply(get)).isEqualTo("$1\r\n1");
    assertThat(g2.get("a")).isEqualTo("1");
    assertThat(g1.exists("a")).isFalse();
  }

  @Test
  void aCommandHeldLongerThanTheHoldTimeoutForASwitchNamesTheSwitch() throws Exception {
    harness(Map.of("rekko.migration.hold-timeout", "50ms"));
    // Between a failover's steps the group may have no master at all: still held, not offline.
    h.group(new GroupInfo(1, List.of(ServerInfo.replica(h.g1.address())), false, 2, true, null));
    h.route();
    assertThat(h.reply(h.send("GET", "a"))).isEqualTo(
        "-ERR slot " + slot("a") + " waits for the switch of group 1's master for longer than 50 ms, try again");
    assertThat(h.session.hasDeferred()).isFalse();
  }
}
