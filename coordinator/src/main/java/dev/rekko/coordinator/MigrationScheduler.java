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
 */
final class MigrationScheduler {
  static final long RESEND_NANOS = 10_000_000_000L;

  private final int maxParallel;
  private final Map<Integer, Long> starting = new HashMap<>();
  private final Set<Integer> active = new HashSet<>();
  private boolean paused;
  private int done;

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

  /** The slots to start now. */
  List<Integer> onTopology(Topology t, long nowNanos) {
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
    int room = maxParallel - active.size() - starting.size();
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
