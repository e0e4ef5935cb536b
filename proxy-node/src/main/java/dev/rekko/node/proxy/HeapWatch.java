package dev.rekko.node.proxy;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The JVM's peak heap use, for INFO's {@code used_memory_peak}: the heap is fullest just before a
 * collection, which polling would miss, so this listens to the collector's notifications and keeps the
 * largest heap use they report before a collection (and, apart, after a major one: what was really
 * live).
 * One per JVM, started by the first node.
 */
final class HeapWatch {
  private static final AtomicBoolean started = new AtomicBoolean();
  private static final AtomicLong peakBefore = new AtomicLong();
  private static final AtomicLong peakAfter = new AtomicLong();

  private HeapWatch() {}

  static void start() {
    if (!started.compareAndSet(false, true)) {
      return;
    }
    Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener((n, handback) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            var done = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            var info = done.getGcInfo();
            peakBefore.accumulateAndGet(heapUsed(info.getMemoryUsageBeforeGc(), heapPools), Math::max);
            // After a minor collection the old generation still holds its garbage: only a major one
            // tells what was live.
            if (done.getGcAction().contains("major")) {
              peakAfter.accumulateAndGet(heapUsed(info.getMemoryUsageAfterGc(), heapPools), Math::max);
            }
          }
        }, null, null);
      }
    }
  }

  private static long heapUsed(Map<String, MemoryUsage> pools, Set<String> heapPools) {
    long sum = 0;
    for (Map.Entry<String, MemoryUsage> e : pools.entrySet()) {
      if (heapPools.contains(e.getKey())) {
        sum += e.getValue().getUsed();
      }
    }
    return sum;
  }

  /** The most heap in use seen so far: before any collection, or now. */
  static long peakUsed() {
    return Math.max(peakBefore.get(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
  }

  /** The most heap still in use right after a major collection: the largest live set seen (0 before one). */
  static long peakLive() {
    return peakAfter.get();
  }
}
