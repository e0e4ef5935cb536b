package dev.rekko.node.proxy;

import static dev.rekko.node.proxy.SessionHarness.slot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.Errors;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Where a session sends a command, for each state of its slot, single-slot (GET, INCR …) and split over
 * slots (MGET, MSET) alike: straight to the master, held, keys moved first, or behind the session's own
 * earlier commands of the slot. Against real servers, through a session with no client socket.
 */
class SessionRoutingTest {
  private SessionHarness h;
  private Jedis g1;
  private Jedis g2;

  @BeforeEach
  void start() {
    h = new SessionHarness();
    g1 = h.direct(h.g1);
    g2 = h.direct(h.g2);
    assertThat(slot("a")).isNotIn(slot("b"), slot("c"));
    assertThat(slot("b")).isNotEqualTo(slot("c"));
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void aSlotServedByItsGroupGoesStraightToItsMaster() throws Exception {
    h.route(SlotInfo.online(slot("a"), 2, 2));
    assertThat(h.reply(h.send("SET", "a", "v"))).isEqualTo("+OK");
    assertThat(g2.get("a")).isEqualTo("v");
    assertThat(g1.exists("a")).isFalse();
    assertThat(h.session.hasDeferred()).isFalse();
  }

  @Test
  void anOfflineSlotIsRefusedAndNothingIsSent() throws Exception {
    h.route(SlotInfo.offline(slot("a")));
    assertThat(h.reply(h.send("SET", "a", "v"))).isEqualTo("-" + Errors.SLOT_NOT_READY);
    assertThat(h.reply(h.send("MSET", "b", "1", "a", "2"))).isEqualTo("-" + Errors.SLOT_NOT_READY);
    assertThat(g1.exists("a", "b")).as("not even the online key's part went").isZero();
    assertThat(h.session.hasDeferred()).isFalse();
  }

  @Test
  void withoutARoutingTableEveryCommandIsRefused() throws Exception {
    h.fence();
    assertThat(h.reply(h.send("GET", "a"))).isEqualTo("-" + Router.FENCED);
    assertThat(h.reply(h.send("MGET", "a", "b"))).isEqualTo("-" + Router.FENCED);
  }

  @Test
  void aSlotAtItsBarrierHoldsTheCommandUntilTheMigrationMovesOn() throws Exception {
    g1.set("a", "1");
    h.route(new SlotInfo(slot("a"), SlotState.BARRIER, 1, 2, 2));
    Pending incr = h.send("INCR", "a");
    h.drive();
    assertThat(incr.done).isFalse();
    assertThat(h.session.hasDeferred()).isTrue();
    assertThat(g1.get("a")).as("nothing went to either group").isEqualTo("1");

    h.route(new SlotInfo(slot("a"), SlotState.MIGRATING, 1, 2, 3));
    assertThat(h.reply(incr)).isEqualTo(":2");
    assertThat(g2.get("a")).isEqualTo("2");
    assertThat(g1.exists("a")).isFalse();
    assertThat(h.session.hasDeferred()).isFalse();
  }

  @Test
  void aMigratingSlotMovesTheCommandsKeysToTheTargetFirst() throws Exception {
    g1.set("a", "v");
    h.route(new SlotInfo(slot("a"), SlotState.MIGRATING, 1, 2, 2));
    assertThat(h.reply(h.send("GET", "a"))).isEqualTo("$1\r\nv");
    assertThat(g2.get("a")).isEqualTo("v");
    assertThat(g1.exists("a")).isFalse();
  }

  @Test
  void aCommandQueuesBehindTheSessionsHeldOnesOfItsSlotEvenWhenTheRouteIsDirectAgain() throws Exception {
    g1.set("a", "1");
    h.route(new SlotInfo(slot("a"), SlotState.BARRIER, 1, 2, 2));
    Pending incr = h.send("INCR", "a");
    // The migration is called off: the route is direct again, yet the INCR must run before the SET.
    h.route(SlotInfo.online(slot("a"), 1, 3));
    Pending set = h.send("SET", "a", "10");
    assertThat(h.reply(incr)).isEqualTo(":2");
    assertThat(h.reply(set)).isEqualTo("+OK");
    assertThat(g1.get("a")).isEqualTo("10");
  }

  @Test
  void aSplitCommandsKeysEachGoTheWayOfTheirSlot() throws Exception {
    g1.set("a", "A");
    g1.set("b", "B");
    g2.set("c", "C");
    h.route(new SlotInfo(slot("b"), SlotState.MIGRATING, 1, 2, 2), SlotInfo.online(slot("c"), 2, 2));
    assertThat(h.reply(h.send("MGET", "a", "b", "c"))).isEqualTo("*3\r\n$1\r\nA\r\n$1\r\nB\r\n$1\r\nC");
    assertThat(g2.get("b")).as("moved first").isEqualTo("B");
    assertThat(g1.exists("b")).isFalse();
    assertThat(g1.get("a")).as("direct, not moved").isEqualTo("A");
  }

  @Test
  void aSplitCommandWaitsForItsHeldPart() throws Exception {
    h.route(new SlotInfo(slot("b"), SlotState.BARRIER, 1, 2, 2));
    Pending mset = h.send("MSET", "a", "1", "b", "2");
    h.drive();
    assertThat(mset.done).isFalse();
    assertThat(h.session.hasDeferred()).isTrue();
    assertThat(g1.exists("b")).as("the held part waits").isFalse();

    h.route(new SlotInfo(slot("b"), SlotState.MIGRATING, 1, 2, 3));
    assertThat(h.reply(mset)).isEqualTo("+OK");
    assertThat(g1.get("a")).isEqualTo("1");
    assertThat(g2.get("b")).isEqualTo("2");
  }

  @Test
  void aSplitCommandsPartQueuesBehindTheSessionsHeldCommandsOfItsSlot() throws Exception {
    g1.set("b", "1");
    h.route(new SlotInfo(slot("b"), SlotState.BARRIER, 1, 2, 2));
    Pending incr = h.send("INCR", "b");
    h.route(SlotInfo.online(slot("b"), 1, 3));
    Pending mset = h.send("MSET", "a", "x", "b", "y");
    assertThat(h.reply(incr)).as("ran before the MSET's part").isEqualTo(":2");
    assertThat(h.reply(mset)).isEqualTo("+OK");
    assertThat(g1.get("b")).isEqualTo("y");
  }
}
