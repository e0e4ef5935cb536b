package dev.rekko.coordinator;

import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.Topology;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Plans an even spread of slots over the groups that can serve them (groups with a master), moving as few
 * slots as possible. Pure: a topology in, a plan out.
 *
 * <ul>
 *   <li>A slot counts for the group it will end at: {@code group} when online, {@code target} while it
 *       migrates (the migration finishes on its own). Offline slots have no home and are not planned:
 *       assigning them is the operator's decision; the plan's note lists them.</li>
 *   <li>With {@code n} groups holding {@code total} slots, each group's target is {@code total / n}; the
 *       {@code total % n} extra slots go to the groups that already hold most (ties: lower id), which
 *       makes the moves exactly the sum of the surpluses above target, the fewest possible.</li>
 *   <li>Only online slots move, never a migrating one; a donor gives its highest-numbered slots, and
 *       receivers are filled in id order.</li>
 *   <li>Slots of a group without a master (or of a group that no longer exists) cannot be migrated away
 *       and stay where they are; the note lists them.</li>
 * </ul>
 */
public final class RebalancePlanner {
  private RebalancePlanner() {}

  /**
   * @param moves  the moves, in donor order
   * @param before slot count per group (every known group, 0 included, and any owner that is no group)
   * @param after  the same after the moves
   * @param note   what the plan leaves alone (offline slots, unservable owners), empty when nothing
   */
  public record Plan(List<Coordinator.Move> moves, SortedMap<Integer, Integer> before,
      SortedMap<Integer, Integer> after, String note) {

    public Coordinator.RebalancePlan toResult() {
      return new Coordinator.RebalancePlan(moves, before, after);
    }
  }

  public static Plan plan(Topology topology) {
    return plan(topology.groups(), topology.slots());
  }

  static Plan plan(SortedMap<Integer, GroupInfo> groups, List<SlotInfo> slots) {
    SortedMap<Integer, Integer> before = new TreeMap<>();
    groups.keySet().forEach(id -> before.put(id, 0));
    Map<Integer, List<Integer>> movable = new HashMap<>();
    List<Integer> offline = new ArrayList<>();
    for (SlotInfo s : slots) {
      int home = homeOf(s);
      if (home == 0) {
        offline.add(s.id());
        continue;
      }
      before.merge(home, 1, Integer::sum);
      if (s.state() == SlotState.ONLINE) {
        movable.computeIfAbsent(home, g -> new ArrayList<>()).add(s.id());
      }
    }

    List<Integer> eligible = new ArrayList<>();
    List<Integer> stuck = new ArrayList<>();
    for (var e : before.entrySet()) {
      GroupInfo g = groups.get(e.getKey());
      if (g != null && g.master().isPresent()) {
        eligible.add(e.getKey());
      } else if (e.getValue() > 0) {
        stuck.add(e.getKey());
      }
    }

    Map<Integer, Integer> target = targets(eligible, before);
    List<Coordinator.Move> moves = new ArrayList<>();
    List<Integer> receivers = new ArrayList<>();
    Map<Integer, Integer> deficit = new HashMap<>();
    for (int g : eligible) {
      int d = target.get(g) - before.get(g);
      if (d > 0) {
        receivers.add(g);
        deficit.put(g, d);
      }
    }
    int r = 0;
    List<Integer> shortDonors = new ArrayList<>();
    for (int g : eligible) {
      int surplus = before.get(g) - target.get(g);
      if (surplus <= 0) {
        continue;
      }
      List<Integer> own = new ArrayList<>(movable.getOrDefault(g, List.of()));
      own.sort(Comparator.reverseOrder());
      if (own.size() < surplus) {
        shortDonors.add(g);
      }
      for (int i = 0; i < Math.min(surplus, own.size()); i++) {
        while (r < receivers.size() && deficit.get(receivers.get(r)) == 0) {
          r++;
        }
        int to = receivers.get(r);
        deficit.merge(to, -1, Integer::sum);
        moves.add(new Coordinator.Move(own.get(i), g, to));
      }
    }

    SortedMap<Integer, Integer> after = new TreeMap<>(before);
    for (Coordinator.Move m : moves) {
      after.merge(m.from(), -1, Integer::sum);
      after.merge(m.to(), 1, Integer::sum);
    }
    return new Plan(List.copyOf(moves), Collections.unmodifiableSortedMap(before),
        Collections.unmodifiableSortedMap(after), note(offline, stuck, shortDonors));
  }

  /** Where a slot ends up when nothing else happens; 0 for an offline slot. */
  private static int homeOf(SlotInfo s) {
    return switch (s.state()) {
      case OFFLINE -> 0;
      case ONLINE -> s.group();
      default -> s.target() != 0 ? s.target() : s.group();
    };
  }

  private static Map<Integer, Integer> targets(List<Integer> eligible, Map<Integer, Integer> counts) {
    Map<Integer, Integer> target = new HashMap<>();
    if (eligible.isEmpty()) {
      return target;
    }
    int total = eligible.stream().mapToInt(counts::get).sum();
    int base = total / eligible.size();
    int extra = total % eligible.size();
    List<Integer> byCount = new ArrayList<>(eligible);
    byCount.sort(Comparator.<Integer>comparingInt(counts::get).reversed().thenComparing(Comparator.naturalOrder()));
    for (int i = 0; i < byCount.size(); i++) {
      target.put(byCount.get(i), base + (i < extra ? 1 : 0));
    }
    return target;
  }

  private static String note(List<Integer> offline, List<Integer> stuck, List<Integer> shortDonors) {
    List<String> parts = new ArrayList<>();
    if (!offline.isEmpty()) {
      parts.add(offline.size() + " offline slots are not planned (assign them first): "
          + SlotRanges.format(offline));
    }
    if (!stuck.isEmpty()) {
      parts.add("groups without a master keep their slots: " + stuck);
    }
    if (!shortDonors.isEmpty()) {
      parts.add("groups " + shortDonors + " hold migrating slots that cannot move; the spread stays uneven");
    }
    return String.join("; ", parts);
  }
}
