package dev.rekko.node.stats;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * This node's statistics at one moment, as served by {@code GET /api/stats}. Field names follow
 * Codis's proxy stats ({@code online}, {@code ops.total/fails/qps}, {@code sessions.total/alive})
 * where Codis has them.
 */
public record StatsSnapshot(
    boolean online,
    Ops ops,
    Sessions sessions,
    List<CommandSnapshot> commands,
    List<BackendStatus> backends,
    JvmRuntime runtime) {

  /** Commands since start, and ops/s over the last second. */
  public record Ops(long total, long fails, long qps) {}

  /**
   * Client connections: opened since start, and open now; TLS connections that ended during their
   * handshake since start (refused client certificates among them).
   */
  public record Sessions(long total, long alive, long tlsHandshakeFailures) {}

  /**
   * Per command: counts and total time since start; percentiles and max over the last one to two
   * minutes. Times in microseconds.
   */
  public record CommandSnapshot(
      String name,
      long calls,
      long fails,
      long usecs,
      long usecPerCall,
      long p50Usec,
      long p99Usec,
      long p999Usec,
      long maxUsec) {}

  /** The JVM. */
  public record JvmRuntime(
      long heapUsed,
      long heapMax,
      long nonHeapUsed,
      int threads,
      int cpus,
      long uptimeSec,
      long gcCount,
      long gcTimeMs,
      List<Gc> gc) {

    /** The JVM now; {@code startNanos}: when the node started ({@link System#nanoTime}). */
    static JvmRuntime now(long startNanos) {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      List<Gc> gcs = new ArrayList<>();
      long gcCount = 0;
      long gcTime = 0;
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        long count = Math.max(0, gc.getCollectionCount());
        long time = Math.max(0, gc.getCollectionTime());
        gcs.add(new Gc(gc.getName(), count, time));
        gcCount += count;
        gcTime += time;
      }
      return new JvmRuntime(
          memory.getHeapMemoryUsage().getUsed(),
          memory.getHeapMemoryUsage().getMax(),
          memory.getNonHeapMemoryUsage().getUsed(),
          ManagementFactory.getThreadMXBean().getThreadCount(),
          Runtime.getRuntime().availableProcessors(),
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos),
          gcCount,
          gcTime,
          List.copyOf(gcs));
    }
  }

  /** One garbage collector: collections and time spent since start. */
  public record Gc(String name, long count, long timeMs) {}
}
