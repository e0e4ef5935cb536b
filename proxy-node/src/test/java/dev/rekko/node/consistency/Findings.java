package dev.rekko.node.consistency;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything caught so far, by clients and by every verification. Lost and extra are counted as
 * distinct keys over the whole run (a key lost in a periodic check and again at the end counts
 * once); read-your-writes violations are counted as events. Only the first finding of each kind
 * per key, and only the first few of each kind, are kept in detail: a broken run does not fill the
 * test log, and a flood of one kind does not hide the others.
 */
final class Findings {
  private final int maxDetails;
  private final Set<String> lostKeys = ConcurrentHashMap.newKeySet();
  private final Set<String> extraKeys = ConcurrentHashMap.newKeySet();
  private final Set<String> unverifiedKeys = ConcurrentHashMap.newKeySet();
  private final AtomicLong readYourWrites = new AtomicLong();
  private final Set<String> detailed = ConcurrentHashMap.newKeySet();
  private final Map<Finding.Kind, List<Finding>> details = new EnumMap<>(Finding.Kind.class);

  Findings(int maxDetails) {
    this.maxDetails = maxDetails;
  }

  void add(Finding f) {
    String id = f.db() + "/" + f.key();
    switch (f.kind()) {
      case LOST -> lostKeys.add(id);
      case EXTRA -> extraKeys.add(id);
      case UNVERIFIED -> unverifiedKeys.add(id);
      case READ_YOUR_WRITES -> readYourWrites.incrementAndGet();
      default -> throw new IllegalStateException("unknown kind " + f.kind());
    }
    // One detail per key and kind: a key that stays lost would otherwise crowd out all others.
    if (detailed.add(f.kind() + " " + id)) {
      synchronized (details) {
        List<Finding> ofKind = details.computeIfAbsent(f.kind(), k -> new ArrayList<>());
        if (ofKind.size() < maxDetails) {
          ofKind.add(f);
        }
      }
    }
  }

  /** A key that a later check could read after all is no longer unverified. */
  void verified(int db, String key) {
    unverifiedKeys.remove(db + "/" + key);
  }

  long lost() {
    return lostKeys.size();
  }

  long extra() {
    return extraKeys.size();
  }

  long unverified() {
    return unverifiedKeys.size();
  }

  long readYourWrites() {
    return readYourWrites.get();
  }

  List<Finding> details() {
    synchronized (details) {
      List<Finding> all = new ArrayList<>();
      details.values().forEach(all::addAll);
      return all;
    }
  }
}
