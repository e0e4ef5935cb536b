package dev.rekko.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.coordinator.Coordinator.Failed;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.StaleEpochException;
import dev.rekko.topology.Topology;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** How the coordinator answers a write that failed, without actors. */
class WritesTest {
  private static Topology withGroupAt(long epoch) {
    TreeMap<Integer, GroupInfo> groups = new TreeMap<>();
    groups.put(1, new GroupInfo(1, List.of(ServerInfo.master("10.0.0.1:6379")), false, epoch));
    return new Topology(0, groups, Topology.offlineSlots(), new TreeMap<>(), true, true);
  }

  @Test
  void aWriteThatLostToAConcurrentChangeIsAnsweredOnceTheViewHoldsThatChange() {
    GroupInfo fromStaleView = new GroupInfo(1, List.of(ServerInfo.master("10.0.0.1:6379")), true, 4);
    Writes.Write write = new Writes.Write(new CompletableFuture<>(),
        new Writes.Pending(t -> true, new Coordinator.GroupChanged(fromStaleView), null), "set replica-read");
    Writes.Pending answer = Writes.failed(write, new StaleEpochException("rekko-groups", 1, 4, 4));

    assertThat(answer.result()).isInstanceOfSatisfying(Failed.class, f -> {
      assertThat(f.status()).isEqualTo(409);
      assertThat(f.message()).contains("lost to a concurrent change");
    });
    // Answered from the view that lost, the caller's retry would get epoch 5 and undo the change at 4.
    assertThat(answer.visible().test(withGroupAt(3))).isFalse();
    assertThat(answer.visible().test(withGroupAt(4))).isTrue();
  }
}
