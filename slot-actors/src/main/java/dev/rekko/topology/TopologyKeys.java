package dev.rekko.topology;

import dev.rekko.protocol.SlotHash;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;

/**
 * The Distributed Data keys of the topology and the epoch-clocked writes to them. All key ids start with
 * {@code rekko-}, which is what {@code pekko.cluster.distributed-data.durable.keys} matches.
 */
public final class TopologyKeys {
  private TopologyKeys() {}

  /** Slots per slot key: 16 keys of 64, so a slot update gossips 64 entries, not 1024. */
  public static final int SLOTS_PER_KEY = 64;
  public static final int SLOT_KEY_COUNT = SlotHash.SLOTS / SLOTS_PER_KEY;

  public static final Key<LWWMap<Integer, GroupInfo>> GROUPS = LWWMapKey.create("rekko-groups");
  public static final Key<LWWMap<String, NodeInfo>> NODES = LWWMapKey.create("rekko-nodes");
  /**
   * Cluster-wide numbers: monotone ones ({@link #META_BOOTSTRAPPED}, {@link #META_EPOCH}) and the
   * migration controls ({@link #META_MIGRATIONS_PAUSED}, {@link #META_MOVER_THROTTLE}).
   */
  public static final Key<LWWMap<String, Long>> META = LWWMapKey.create("rekko-meta");

  /** Meta entry: the epoch at which the cluster was seeded; present = seeded. */
  public static final String META_BOOTSTRAPPED = "bootstrapped";
  /**
   * Meta entry: an epoch high-water mark. Removing a group removes its epoch from the maps, and the
   * topology's epoch must still never go backwards, or a node's old acknowledgement could pass a later
   * migration's barrier.
   */
  public static final String META_EPOCH = "epoch";
  /** Meta entry: 1 while migrations are paused, so that a new coordinator keeps them paused. */
  public static final String META_MIGRATIONS_PAUSED = "migrations-paused";
  /** Meta entry: every mover's keys/s cap, 0 for none. */
  public static final String META_MOVER_THROTTLE = "mover-throttle";

  private static final List<Key<LWWMap<Integer, SlotInfo>>> SLOTS;

  static {
    List<Key<LWWMap<Integer, SlotInfo>>> keys = new ArrayList<>(SLOT_KEY_COUNT);
    for (int i = 0; i < SLOT_KEY_COUNT; i++) {
      keys.add(LWWMapKey.create("rekko-slots-" + i));
    }
    SLOTS = Collections.unmodifiableList(keys);
  }

  public static List<Key<LWWMap<Integer, SlotInfo>>> slotKeys() {
    return SLOTS;
  }

  public static Key<LWWMap<Integer, SlotInfo>> slotKey(int slot) {
    return SLOTS.get(slotKeyIndex(slot));
  }

  public static int slotKeyIndex(int slot) {
    if (slot < 0 || slot >= SlotHash.SLOTS) {
      throw new IllegalArgumentException("slot id out of range: " + slot);
    }
    return slot / SLOTS_PER_KEY;
  }

  private static final List<Key<?>> ALL;

  static {
    List<Key<?>> keys = new ArrayList<>();
    keys.add(GROUPS);
    keys.addAll(SLOTS);
    keys.add(NODES);
    keys.add(META);
    ALL = List.copyOf(keys);
  }

  /** Every topology key: groups, the 16 slot keys, nodes, meta. */
  public static List<Key<?>> all() {
    return ALL;
  }

  /**
   * The LWW clock of versioned entries: the entry's own epoch. Ties between different writers go to the
   * lower node address (Pekko's rule), which the guard in {@link #putVersioned} keeps from mattering.
   */
  static <V extends Versioned> LWWRegister.Clock<V> epochClock() {
    return (current, value) -> value.epoch();
  }

  /** The LWW clock of monotone numbers: the number itself, so the larger one wins every merge. */
  static final LWWRegister.Clock<Long> VALUE_CLOCK = (current, value) -> value;

  /**
   * Puts an entry with the epoch clock. {@link LWWRegister#withValue} replaces the local value whatever
   * its timestamp, so the guard is what stops a stale writer here; the clock settles it between replicas
   * that had not seen each other's write.
   *
   * @throws StaleEpochException when the map holds a higher epoch, or the same epoch with other content
   *                             (an epoch names exactly one value; two would merge differently per node)
   */
  static <K, V extends Versioned> LWWMap<K, V> putVersioned(LWWMap<K, V> map, SelfUniqueAddress self,
      String keyId, K key, V value) {
    V current = entry(map, key);
    if (current != null) {
      if (current.equals(value)) {
        return map;
      }
      if (current.epoch() >= value.epoch()) {
        throw new StaleEpochException(keyId, key, value.epoch(), current.epoch());
      }
    }
    return map.put(self, key, value, epochClock());
  }

  /**
   * The map unchanged, or {@link StaleEpochException} when its entry for {@code slot} is newer than
   * {@code basedOn} and is not {@code slot} itself (a write repeated with the same content passes).
   */
  static LWWMap<Integer, SlotInfo> requireUnchangedSince(LWWMap<Integer, SlotInfo> map, String keyId,
      SlotInfo slot, long basedOn) {
    SlotInfo current = entry(map, slot.id());
    if (current != null && current.epoch() > basedOn && !current.equals(slot)) {
      throw new StaleEpochException(keyId, slot.id(), slot.epoch(), current.epoch());
    }
    return map;
  }

  /**
   * The map's entry for {@code key}, or null. Not {@code getEntries().get(key)}: that builds a Java map
   * of every entry first, and a batch of slot writes looks up each of its slots (64 to a key).
   */
  public static <K, V> V entry(LWWMap<K, V> map, K key) {
    scala.Option<V> value = map.get(key);
    return value.isDefined() ? value.get() : null;
  }

  /** Sets a meta setting; the later write wins (wall clock, always above the current timestamp). */
  static LWWMap<String, Long> set(LWWMap<String, Long> map, SelfUniqueAddress self, String key, long value) {
    return map.put(self, key, value, LWWRegister.defaultClock());
  }

  /** Raises a monotone meta number; a lower or equal value leaves the map as it is. */
  static LWWMap<String, Long> raise(LWWMap<String, Long> map, SelfUniqueAddress self, String key,
      long value) {
    Long current = entry(map, key);
    if (current != null && current >= value) {
      return map;
    }
    return map.put(self, key, value, VALUE_CLOCK);
  }
}
