package dev.rekko.coordinator;

import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides, from each new topology, which pending slots start migrating: at most {@code maxParallel} slots
 * are between their start and their end at once, the lowest-numbered pending first.
 *
 * <p>A source group with nothing under way starts one slot alone, its lead, and the others once a slot
 * of that group is past its barrier. Hundreds of slots started together share every topology write and
 * barrier round, so the first of them reached {@code MIGRATING} only after about 1.8 s, and the source's
 * mover, which starts walking at the first {@code MIGRATING} slot and takes later ones along, sat idle
 * that long; the lead gets there in a few hundred ms, and the others join its walk. Everything it needs
 * is in the topology, so a coordinator that takes over carries on; only the pause flag and the count of
 * finished slots are its own. A start that has not shown in the topology after {@link #RESEND_NANOS} is
 * sent again (the slot actor answers a repeated start with its state).
 *
 * <p>A new migration's slots that there is room for skip {@code PENDING} altogether ({@link #admit}): the
 * coordinator asks them to start at once, which saves every slot one topology write and the hop from the
 * write to this scheduler. They count against {@code maxParallel} until the topology shows them started,
 * or for {@link #RESEND_NANOS} if it never does (the ask was refused or lost).
 */
final class MigrationScheduler {
  static final long RESEND_NANOS = 10_000_000_000L;

  private final int maxParallel;
  private final Map<Integer, Long> starting = new HashMap<>();
  private final Set<Integer> active = new HashSet<>();
  /** Slots asked to start without PENDING: the epoch their first step will have at least, and since when. */
  private final Map<Integer, Admitted> admitted = new HashMap<>();
  private boolean paused;
  private int done;

  private record Admitted(int group, long minEpoch, long sinceNanos) {}

  MigrationScheduler(int maxParallel) {
    this.maxParallel = maxParallel;
  }

  void paused(boolean value) {
    paused = value;
  }

  boolean paused() {
    return paused;
  }

  int done() {
    return done;
  }

  /**
   * Of a new migration's slots (slot to target group), those that start at once, lowest first: each
   * online at another group, while there is room. The others go {@code PENDING} and wait their turn.
   *
   * @param minEpoch the epoch the coordinator asks the slots to write at least
   */
  Set<Integer> admit(Map<Integer, Integer> moves, Topology t, long minEpoch, long nowNanos) {
    Set<Integer> now = new TreeSet<>();
    if (paused) {
      return now;
    }
    int room = maxParallel - active.size() - starting.size() - admitted.size();
    for (int slot : new TreeSet<>(moves.keySet())) {
      if (room <= 0) {
        break;
      }
      SlotInfo s = t.slot(slot);
      if (s.state() == SlotState.ONLINE && s.group() != moves.get(slot) && !starting.containsKey(slot)
          && !active.contains(slot) && !admitted.containsKey(slot)) {
        admitted.put(slot, new Admitted(s.group(), minEpoch, nowNanos));
        now.add(slot);
        room--;
      }
    }
    return now;
  }

  /** The slots to start now. */
  List<Integer> onTopology(Topology t, long nowNanos) {
    admitted.entrySet().removeIf(e -> t.slot(e.getKey()).epoch() >= e.getValue().minEpoch()
        || isActive(t.slot(e.getKey()).state()) || nowNanos - e.getValue().sinceNanos() > RESEND_NANOS);
    TreeSet<Integer> pending = new TreeSet<>();
    for (SlotInfo s : t.slots()) {
      if (isActive(s.state())) {
        active.add(s.id());
        starting.remove(s.id());
      } else if (s.state() == SlotState.PENDING) {
        pending.add(s.id());
      } else {
        if (active.remove(s.id()) && s.state() == SlotState.ONLINE && s.group() != 0) {
          done++;
        }
        starting.remove(s.id());
      }
    }
    starting.keySet().removeIf(slot -> !pending.contains(slot) && !active.contains(slot));
    List<Integer> start = new ArrayList<>();
    if (paused) {
      return start;
    }
    starting.forEach((slot, since) -> {
      if (nowNanos - since > RESEND_NANOS) {
        start.add(slot);
      }
    });
    start.forEach(slot -> starting.put(slot, nowNanos));
    Set<Integer> busy = new HashSet<>();
    Set<Integer> open = new HashSet<>();
    for (int slot : active) {
      SlotInfo s = t.slot(slot);
      busy.add(s.group());
      if (s.state().compareTo(SlotState.MIGRATING) >= 0) {
        open.add(s.group());
      }
    }
    starting.keySet().forEach(slot -> busy.add(t.slot(slot).group()));
    admitted.values().forEach(a -> busy.add(a.group()));
    int room = maxParallel - active.size() - starting.size() - admitted.size();
    for (int slot : pending) {
      if (room <= 0) {
        break;
      }
      int group = t.slot(slot).group();
      if (!starting.containsKey(slot) && (open.contains(group) || busy.add(group))) {
        starting.put(slot, nowNanos);
        start.add(slot);
        room--;
      }
    }
    return start;
  }

  static boolean isActive(SlotState state) {
    return state.compareTo(SlotState.PREPARING) >= 0;
  }

  /** Groups that slots are leaving or about to leave: their movers must be running. */
  static Set<Integer> sources(Topology t) {
    Set<Integer> groups = new TreeSet<>();
    for (SlotInfo s : t.slots()) {
      if (s.state() == SlotState.PENDING || isActive(s.state())) {
        groups.add(s.group());
      }
    }
    return groups;
  }
}
