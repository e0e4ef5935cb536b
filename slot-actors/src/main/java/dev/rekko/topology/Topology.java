package dev.rekko.topology;

import dev.rekko.protocol.SlotHash;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One node's merged view of the replicated topology. Immutable; a new instance per change.
 *
 * <p>In JSON (the HTTP API's {@code GET /api/topology}) {@code groups} and {@code nodes} are arrays sorted by
 * id and address, not objects keyed by them, so clients iterate them the same way as {@code slots}.
 *
 * @param epoch        the highest epoch of any group or slot entry, and never lower than the cluster's
 *                     epoch high-water mark (which a group removal raises); the constructor takes the
 *                     maximum of the given value and the entries' epochs
 * @param groups       by group id
 * @param slots        exactly {@value SlotHash#SLOTS}, index = slot id
 * @param nodes        by cluster member address
 * @param bootstrapped whether the cluster was seeded once (seeding must never run twice)
 * @param loaded       whether this node has read every topology key since it started (see
 *                     {@link TopologyReplica}); a node that has not must not serve
 * @param migrationsPaused whether an operator paused migrations (kept across coordinator changes)
 * @param moverThrottle every mover's keys/s cap set by an operator, 0 for none
 */
public record Topology(
    long epoch,
    @JsonSerialize(converter = TopologyJson.GroupsToList.class)
    @JsonDeserialize(converter = TopologyJson.ListToGroups.class)
    SortedMap<Integer, GroupInfo> groups,
    List<SlotInfo> slots,
    @JsonSerialize(converter = TopologyJson.NodesToList.class)
    @JsonDeserialize(converter = TopologyJson.ListToNodes.class)
    SortedMap<String, NodeInfo> nodes,
    boolean bootstrapped,
    boolean loaded,
    boolean migrationsPaused,
    long moverThrottle) implements TopologySerializable {

  /** Before anything was read: no groups, every slot offline, not loaded. */
  public static final Topology EMPTY = new Topology(0, new TreeMap<>(), offlineSlots(), new TreeMap<>(),
      false, false);

  /** Without migration controls: not paused, no throttle. */
  public Topology(long epoch, SortedMap<Integer, GroupInfo> groups, List<SlotInfo> slots,
      SortedMap<String, NodeInfo> nodes, boolean bootstrapped, boolean loaded) {
    this(epoch, groups, slots, nodes, bootstrapped, loaded, false, 0);
  }

  public Topology {
    groups = Collections.unmodifiableSortedMap(new TreeMap<>(groups == null ? new TreeMap<>() : groups));
    nodes = Collections.unmodifiableSortedMap(new TreeMap<>(nodes == null ? new TreeMap<>() : nodes));
    slots = slots == null ? offlineSlots() : List.copyOf(slots);
    if (slots.size() != SlotHash.SLOTS) {
      throw new IllegalArgumentException("a topology has " + SlotHash.SLOTS + " slots, not " + slots.size());
    }
    long max = epoch;
    for (int i = 0; i < SlotHash.SLOTS; i++) {
      SlotInfo s = slots.get(i);
      if (s.id() != i) {
        throw new IllegalArgumentException("slot " + s.id() + " at index " + i);
      }
      max = Math.max(max, s.epoch());
    }
    for (var e : groups.entrySet()) {
      if (e.getKey() != e.getValue().id()) {
        throw new IllegalArgumentException("group " + e.getValue().id() + " under key " + e.getKey());
      }
      max = Math.max(max, e.getValue().epoch());
    }
    epoch = max;
  }

  public static List<SlotInfo> offlineSlots() {
    List<SlotInfo> slots = new ArrayList<>(SlotHash.SLOTS);
    for (int i = 0; i < SlotHash.SLOTS; i++) {
      slots.add(SlotInfo.offline(i));
    }
    return slots;
  }

  public Optional<GroupInfo> group(int id) {
    return Optional.ofNullable(groups.get(id));
  }

  public SlotInfo slot(int id) {
    return slots.get(id);
  }

  /**
   * The master of the group that serves the slot now: {@code target} once a migration has passed its
   * barrier ({@code MIGRATING}, {@code FINISHED}), otherwise {@code group}. Empty when the slot is offline
   * or that group has no master. Whether commands are held while a slot is at {@code PREPARING} or
   * {@code BARRIER} is the routing table's decision, not this method's.
   */
  public Optional<ServerInfo> masterOf(int slot) {
    SlotInfo s = slot(slot);
    int serving = switch (s.state()) {
      case OFFLINE -> 0;
      case MIGRATING, FINISHED -> s.target();
      default -> s.group();
    };
    return masterOfGroup(serving);
  }

  /** The master of a group; empty for group 0 (none), an unknown group, or a group without a master. */
  public Optional<ServerInfo> masterOfGroup(int group) {
    return group == 0 ? Optional.empty() : group(group).flatMap(GroupInfo::master);
  }

  /** Slots owned per group ({@code SlotInfo.group}), for every known group (0 when it owns none). */
  public SortedMap<Integer, Integer> slotCountByGroup() {
    SortedMap<Integer, Integer> counts = new TreeMap<>();
    groups.keySet().forEach(id -> counts.put(id, 0));
    for (SlotInfo s : slots) {
      if (s.group() != 0) {
        counts.merge(s.group(), 1, Integer::sum);
      }
    }
    return Collections.unmodifiableSortedMap(counts);
  }

  /** Slots as runs ({@code 0-511:ONLINE@1/g1}), not 1024 records, so logs and test failures stay readable. */
  @Override
  public String toString() {
    StringBuilder runs = new StringBuilder();
    int start = 0;
    for (int i = 1; i <= SlotHash.SLOTS; i++) {
      if (i == SlotHash.SLOTS || !sameRun(slots.get(start), slots.get(i))) {
        SlotInfo s = slots.get(start);
        runs.append(runs.length() == 0 ? "" : ", ").append(start).append(i - 1 > start ? "-" + (i - 1) : "")
            .append(':').append(s.state()).append('@').append(s.epoch()).append("/g").append(s.group())
            .append(s.target() == 0 ? "" : ">g" + s.target());
        start = i;
      }
    }
    return "Topology[epoch=" + epoch + ", loaded=" + loaded + ", bootstrapped=" + bootstrapped + ", groups="
        + groups.values() + ", slots=[" + runs + "], nodes=" + nodes.values() + "]";
  }

  private static boolean sameRun(SlotInfo a, SlotInfo b) {
    return a.state() == b.state() && a.group() == b.group() && a.target() == b.target()
        && a.epoch() == b.epoch();
  }
}
