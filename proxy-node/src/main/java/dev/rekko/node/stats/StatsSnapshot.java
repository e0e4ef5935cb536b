package dev.rekko.node.stats;

import java.util.List;

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
      List<Gc> gc) {}

  /** One garbage collector: collections and time spent since start. */
  public record Gc(String name, long count, long timeMs) {}
}
