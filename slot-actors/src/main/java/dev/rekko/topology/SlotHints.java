package dev.rekko.topology;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Slot entries this node heard of directly from the node that wrote them, ahead of Distributed Data.
 *
 * <p>A slot actor's write reaches a majority at once; the other nodes get it from the Replicator's delta
 * propagation (every 400 ms) and see it after the next subscriber notification (every 500 ms). A migration
 * waits for such a hop several times per slot (every node must hold the slot before its barrier ends, the
 * coordinator starts the others once the first is {@code MIGRATING}, the source's mover walks slots it has
 * seen {@code MIGRATING}), so the writing node also sends what a majority confirmed to every node's
 * replica, which lays it over what Distributed Data holds until Distributed Data has that epoch or a newer
 * one. Only writes a majority confirmed are sent: those are in every majority read and reach every node by
 * gossip anyway, so a hint never shows a node a slot state the cluster could still lose; it only shows it
 * sooner. Not thread-safe: the replica's own.
 */
final class SlotHints {
  private final Map<Integer, SlotInfo> hints = new HashMap<>();

  /** Keeps each slot's newest hint; returns whether any was newer than what was held. */
  boolean add(List<SlotInfo> slots) {
    boolean newer = false;
    for (SlotInfo s : slots) {
      SlotInfo held = hints.get(s.id());
      if (held == null || s.epoch() > held.epoch()) {
        hints.put(s.id(), s);
        newer = true;
      }
    }
    return newer;
  }

  /**
   * Lays the hints over {@code slots} (Distributed Data's entries, indexed by slot id) where they are newer,
   * and forgets those Distributed Data has caught up with.
   */
  void overlay(List<SlotInfo> slots) {
    hints.values().removeIf(h -> slots.get(h.id()).epoch() >= h.epoch());
    hints.values().forEach(h -> slots.set(h.id(), h));
  }

  int size() {
    return hints.size();
  }
}
