package dev.rekko.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EvenSlotsTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7})
  void contiguousEvenRangesInIdOrder(int n) {
    List<GroupSeed> groups = new ArrayList<>();
    for (int i = n; i >= 1; i--) {
      // Ids given out of order and with gaps: the spread follows id order.
      groups.add(new GroupSeed(i * 10, List.of("h:" + (6000 + i))));
    }
    int[] owners = GroupSeed.evenSlots(groups);
    assertThat(owners).hasSize(1024);

    Map<Integer, Integer> sizes = new LinkedHashMap<>();
    for (int slot = 0; slot < owners.length; slot++) {
      assertThat(owners[slot]).as("slot %d has an owner", slot).isPositive();
      if (slot > 0) {
        // Contiguous and ascending: an owner never reappears after another took over.
        assertThat(owners[slot]).isGreaterThanOrEqualTo(owners[slot - 1]);
      }
      sizes.merge(owners[slot], 1, Integer::sum);
    }
    assertThat(sizes.keySet()).containsExactlyElementsOf(
        groups.stream().map(GroupSeed::id).sorted().toList());
    List<Integer> counts = new ArrayList<>(sizes.values());
    assertThat(counts.stream().mapToInt(Integer::intValue).sum()).isEqualTo(1024);
    assertThat(counts.stream().mapToInt(Integer::intValue).max().orElseThrow()
        - counts.stream().mapToInt(Integer::intValue).min().orElseThrow()).isLessThanOrEqualTo(1);
    // The first 1024 % n groups take the extra slot.
    int extra = 1024 % n;
    for (int i = 0; i < n; i++) {
      assertThat(counts.get(i)).isEqualTo(1024 / n + (i < extra ? 1 : 0));
    }
  }

  @Test
  void threeGroupsSplitAt342And683() {
    int[] owners = GroupSeed.evenSlots(List.of(
        new GroupSeed(1, List.of("a:1")), new GroupSeed(2, List.of("b:1")), new GroupSeed(3, List.of("c:1"))));
    assertThat(owners[0]).isEqualTo(1);
    assertThat(owners[341]).isEqualTo(1);
    assertThat(owners[342]).isEqualTo(2);
    assertThat(owners[682]).isEqualTo(2);
    assertThat(owners[683]).isEqualTo(3);
    assertThat(owners[1023]).isEqualTo(3);
  }

  @Test
  void noGroupsMeansNoOwners() {
    assertThat(GroupSeed.evenSlots(List.of())).hasSize(1024).containsOnly(0);
  }
}
