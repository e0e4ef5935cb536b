package dev.rekko.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.junit.jupiter.api.Test;

/**
 * How the slot writes of one node go together: a key's first write waits for the gather so that the
 * burst it starts joins it, the writes asked while one is in flight go in the next, and a stale slot
 * fails alone. The Distributed Data update is replaced by a recorder (its replication is tested in
 * {@link TopologyReplicationTest}); the gather is run by hand.
 */
class SlotWriteBatcherTest {
  private final List<List<Integer>> updates = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<Done>> writes = new CopyOnWriteArrayList<>();
  private final List<List<Integer>> confirmed = new CopyOnWriteArrayList<>();
  private final List<Runnable> gathers = new ArrayList<>();
  /** The slots the update being built has taken so far (everything here runs on the test's thread). */
  private List<Integer> recording;
  private final SlotWriteBatcher batcher = new SlotWriteBatcher(
      (key, modify) -> {
        recording = new ArrayList<>();
        modify.apply(LWWMap.empty());
        updates.add(recording);
        CompletableFuture<Done> write = new CompletableFuture<>();
        writes.add(write);
        return write;
      },
      (map, keyId, slot, basedOn) -> {
        if (basedOn < 0) {
          throw new StaleEpochException(keyId, slot.id(), slot.epoch(), -basedOn);
        }
        recording.add(slot.id());
        return map;
      },
      slots -> confirmed.add(slots.stream().map(SlotInfo::id).toList()),
      gathers::add);

  private CompletionStage<Done> put(int slot, long basedOn) {
    return batcher.put(new SlotInfo(slot, SlotState.PREPARING, 1, 2, 10), basedOn);
  }

  private void runGathers() {
    List<Runnable> now = List.copyOf(gathers);
    gathers.clear();
    now.forEach(Runnable::run);
  }

  @Test
  void aKeysFirstWriteWaitsForTheGatherAndTakesTheWholeBurst() {
    var a = put(0, 1);
    var b = put(1, 1);
    var c = put(63, 1);
    var otherKey = put(64, 1);
    assertThat(updates).as("nothing leaves before the gather").isEmpty();
    assertThat(gathers).as("one gather per key").hasSize(2);

    runGathers();
    assertThat(updates).containsExactlyInAnyOrder(List.of(0, 1, 63), List.of(64));
    assertThat(a.toCompletableFuture()).isNotDone();

    writes.forEach(w -> w.complete(Done.getInstance()));
    assertThat(a.toCompletableFuture()).isCompleted();
    assertThat(b.toCompletableFuture()).isCompleted();
    assertThat(c.toCompletableFuture()).isCompleted();
    assertThat(otherKey.toCompletableFuture()).isCompleted();
    assertThat(confirmed).containsExactlyInAnyOrder(List.of(0, 1, 63), List.of(64));
  }

  @Test
  void writesAskedWhileOneIsInFlightGoTogetherRightAfterItAndAStaleSlotFailsAlone() {
    var first = put(0, 1);
    runGathers();
    var second = put(1, 1);
    var stale = put(2, -5);
    var third = put(3, 1);
    assertThat(updates).hasSize(1);

    writes.get(0).complete(Done.getInstance());
    assertThat(first.toCompletableFuture()).isCompleted();
    assertThat(gathers).as("no gather behind a write in flight").isEmpty();
    assertThat(updates).as("the waiting slots leave at once, in one update").hasSize(2);
    assertThat(updates.get(1)).containsExactly(1, 3);

    writes.get(1).complete(Done.getInstance());
    assertThat(second.toCompletableFuture()).isCompleted();
    assertThat(third.toCompletableFuture()).isCompleted();
    assertThat(stale.toCompletableFuture()).isCompletedExceptionally();
    assertThat(confirmed.get(1)).containsExactly(1, 3);

    var later = put(4, 1);
    assertThat(gathers).as("an idle key gathers again").hasSize(1);
    runGathers();
    assertThat(updates).hasSize(3);
    writes.get(2).completeExceptionally(new TopologyWriteException("no majority"));
    assertThat(later.toCompletableFuture()).isCompletedExceptionally();
  }
}
