package dev.rekko.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.junit.jupiter.api.Test;

/** The epoch as LWW clock, on the CRDT itself: no cluster, so the order of writes is exact. */
class EpochClockTest {
  // "a" sorts before "b": on a timestamp tie Pekko keeps a's value, so these tests would pass by luck
  // if the clock were not the epoch and b were the newer writer.
  private static final SelfUniqueAddress A = node("a", 1);
  private static final SelfUniqueAddress B = node("b", 2);

  @Test
  void theHigherEpochWinsWhateverTheOrderOfWrites() {
    LWWMap<Integer, SlotInfo> empty = LWWMap.create();
    // b writes the newer epoch first, a writes an older one later without having seen b's.
    LWWMap<Integer, SlotInfo> onB = TopologyKeys.putVersioned(empty, B, "k", 5, SlotInfo.online(5, 2, 10));
    LWWMap<Integer, SlotInfo> onA = TopologyKeys.putVersioned(empty, A, "k", 5, SlotInfo.online(5, 1, 7));
    assertThat(onA.merge(onB).getEntries().get(5).epoch()).isEqualTo(10);
    assertThat(onB.merge(onA).getEntries().get(5).epoch()).isEqualTo(10);
  }

  @Test
  void aReplicaThatHoldsANewerEpochRefusesAnOlderWrite() {
    LWWMap<Integer, SlotInfo> map = TopologyKeys.putVersioned(LWWMap.create(), B, "k", 5,
        SlotInfo.online(5, 2, 10));
    assertThatThrownBy(() -> TopologyKeys.putVersioned(map, A, "k", 5, SlotInfo.online(5, 1, 7)))
        .isInstanceOf(StaleEpochException.class)
        .hasMessageContaining("epoch 7 does not beat the stored epoch 10");
    // Same epoch, other content: one epoch names one value.
    assertThatThrownBy(() -> TopologyKeys.putVersioned(map, A, "k", 5, SlotInfo.online(5, 1, 10)))
        .isInstanceOf(StaleEpochException.class);
    // Same epoch, same content: an idempotent retry.
    assertThat(TopologyKeys.putVersioned(map, A, "k", 5, SlotInfo.online(5, 2, 10))).isSameAs(map);
    var newer = TopologyKeys.putVersioned(map, A, "k", 5, SlotInfo.online(5, 1, 11));
    assertThat(newer.getEntries().get(5).group()).isEqualTo(1);
  }

  @Test
  void aSlotWriterWhoseViewIsOlderThanTheReplicaIsRefused() {
    LWWMap<Integer, SlotInfo> map = TopologyKeys.putVersioned(LWWMap.create(), B, "k", 5,
        SlotInfo.online(5, 2, 10));
    // A second actor for slot 5 still at epoch 7 would decide its step (epoch 11 here) from a stale state.
    SlotInfo decidedFromStale = new SlotInfo(5, SlotState.PENDING, 1, 3, 11);
    assertThatThrownBy(() -> TopologyKeys.requireUnchangedSince(map, "k", decidedFromStale, 7))
        .isInstanceOf(StaleEpochException.class)
        .hasMessageContaining("stored epoch 10");
    assertThat(TopologyKeys.requireUnchangedSince(map, "k", new SlotInfo(5, SlotState.PENDING, 2, 3, 11), 10))
        .isSameAs(map);
    // Its own write repeated (a retry after a timeout) passes; so does a slot with no entry yet.
    assertThat(TopologyKeys.requireUnchangedSince(map, "k", SlotInfo.online(5, 2, 10), 7)).isSameAs(map);
    assertThat(TopologyKeys.requireUnchangedSince(map, "k", SlotInfo.online(6, 1, 1), 0)).isSameAs(map);
  }

  @Test
  void metaNumbersOnlyGoUp() {
    LWWMap<String, Long> onA = TopologyKeys.raise(LWWMap.create(), A, "epoch", 3);
    LWWMap<String, Long> onB = TopologyKeys.raise(LWWMap.create(), B, "epoch", 9);
    assertThat(TopologyKeys.raise(onB, B, "epoch", 4)).isSameAs(onB);
    assertThat(onA.merge(onB).getEntries().get("epoch")).isEqualTo(9L);
    assertThat(onB.merge(onA).getEntries().get("epoch")).isEqualTo(9L);
  }

  private static SelfUniqueAddress node(String host, long uid) {
    return new SelfUniqueAddress(new UniqueAddress(new Address("pekko", "rekko", host, 2551), uid));
  }
}
