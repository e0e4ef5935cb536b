package dev.rekko.redis.migrate;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ServerMover} moves keys. Build with {@link #builder()}; {@link #defaults()} are the values
 * the benchmark found best on a small machine (see the module README).
 *
 * @param batchKeys most keys in one MIGRATE
 * @param maxBatchBytes when positive, the walk asks the source for each leaving key's size
 *     ({@code MEMORY USAGE}, pipelined) and closes a batch before it passes this many bytes; zero skips
 *     that probe (faster) and finds big keys only when a MIGRATE times out
 * @param bigKeyBytes a key at least this big is moved on its own, with a timeout scaled to its size
 * @param scanCount the COUNT hint of each SCAN
 * @param pipelineDepth MIGRATE commands sent to the source before the first of them has answered
 * @param migrateTimeout the timeout MIGRATE itself gets (the source's I/O with the target), for a batch
 *     of unknown or small size
 * @param timeoutPerMiB added to {@code migrateTimeout} per MiB of a batch whose size is known
 * @param maxAttempts tries per batch (the first included) before the walk fails; IOERR and lost
 *     connections are retried, since a repeated MIGRATE is harmless (keys the
 *     target already holds are deleted from the source, never written over: see {@link StaleCopies})
 * @param retryBackoff the pause before the second try, doubled each time up to {@code retryBackoffMax}
 * @param retryBackoffMax the longest pause between tries
 * @param connectTimeout for the mover's own connections to the source
 * @param replySlack how much longer than a MIGRATE's own timeout (three times it, for its several
 *     socket operations) the mover waits for its reply before it gives the connection up
 * @param queueBatches batches the SCAN walk may run ahead of the MIGRATEs
 * @param maxKeysPerSecond initial throttle, 0 for none (changeable at run time on {@link Throttle})
 * @param pauseBetweenBatches initial pause between two MIGRATEs (changeable at run time)
 * @param yieldAbove commands per second that others than the mover send to the source, above which
 *     the mover yields to them (0: never); sampled every {@code loadProbeInterval} from {@code INFO stats}
 * @param yieldBatchKeys most keys in one MIGRATE while yielding
 * @param yieldPipelineDepth MIGRATEs in flight while yielding; 1 lets the commands that queued up
 *     behind a MIGRATE run before the next one
 * @param loadProbeInterval how often the mover samples the source's command count during a walk
 * @param copyLanes walks move keys by copy-and-delete ({@link Copier}) on this many lanes, each with
 *     connections of its own, so that the source's and the target's work overlap; 0 moves them with
 *     MIGRATE ({@link Migrator})
 * @param copyMaxValueBytes a key whose DUMP is bigger than this is moved with MIGRATE instead (with a
 *     timeout scaled to its size), so that big values never pass through the mover's memory
 * @param copyBatchBytes at most this many bytes of DUMP payloads per round; keys beyond it wait for
 *     the next round
 */
public record ServerMoverSettings(
    int batchKeys,
    long maxBatchBytes,
    long bigKeyBytes,
    int scanCount,
    int pipelineDepth,
    Duration migrateTimeout,
    Duration timeoutPerMiB,
    int maxAttempts,
    Duration retryBackoff,
    Duration retryBackoffMax,
    Duration connectTimeout,
    Duration replySlack,
    int queueBatches,
    long maxKeysPerSecond,
    Duration pauseBetweenBatches,
    long yieldAbove,
    int yieldBatchKeys,
    int yieldPipelineDepth,
    Duration loadProbeInterval,
    int copyLanes,
    long copyMaxValueBytes,
    long copyBatchBytes) {

  private static final long MIB = 1024 * 1024;

  public ServerMoverSettings {
    positive(batchKeys, "batchKeys");
    positive(scanCount, "scanCount");
    positive(pipelineDepth, "pipelineDepth");
    positive(maxAttempts, "maxAttempts");
    positive(queueBatches, "queueBatches");
    positive(yieldBatchKeys, "yieldBatchKeys");
    positive(yieldPipelineDepth, "yieldPipelineDepth");
    if (yieldAbove < 0) {
      throw new IllegalArgumentException("yieldAbove must be >= 0: " + yieldAbove);
    }
    if (Objects.requireNonNull(loadProbeInterval, "loadProbeInterval").toMillis() < 1) {
      throw new IllegalArgumentException("loadProbeInterval must be at least 1 ms");
    }
    if (copyLanes < 0 || copyMaxValueBytes < 1 || copyBatchBytes < 1) {
      throw new IllegalArgumentException("copyLanes must be >= 0, copyMaxValueBytes and copyBatchBytes > 0");
    }
    if (maxBatchBytes < 0 || bigKeyBytes < 1 || maxKeysPerSecond < 0) {
      throw new IllegalArgumentException("maxBatchBytes and maxKeysPerSecond must be >= 0, bigKeyBytes > 0");
    }
    for (Duration d : new Duration[] {migrateTimeout, timeoutPerMiB, retryBackoff, retryBackoffMax,
        connectTimeout, replySlack, pauseBetweenBatches}) {
      if (Objects.requireNonNull(d, "durations must not be null").isNegative()) {
        throw new IllegalArgumentException("durations must not be negative: " + d);
      }
    }
    if (migrateTimeout.toMillis() < 1) {
      // Redis reads a MIGRATE timeout of 0 as "1000 ms", which would silently undo a tiny setting.
      throw new IllegalArgumentException("migrateTimeout must be at least 1 ms");
    }
  }

  public static ServerMoverSettings defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.batchKeys = batchKeys;
    b.maxBatchBytes = maxBatchBytes;
    b.bigKeyBytes = bigKeyBytes;
    b.scanCount = scanCount;
    b.pipelineDepth = pipelineDepth;
    b.migrateTimeout = migrateTimeout;
    b.timeoutPerMiB = timeoutPerMiB;
    b.maxAttempts = maxAttempts;
    b.retryBackoff = retryBackoff;
    b.retryBackoffMax = retryBackoffMax;
    b.connectTimeout = connectTimeout;
    b.replySlack = replySlack;
    b.queueBatches = queueBatches;
    b.maxKeysPerSecond = maxKeysPerSecond;
    b.pauseBetweenBatches = pauseBetweenBatches;
    b.yieldAbove = yieldAbove;
    b.yieldBatchKeys = yieldBatchKeys;
    b.yieldPipelineDepth = yieldPipelineDepth;
    b.loadProbeInterval = loadProbeInterval;
    b.copyLanes = copyLanes;
    b.copyMaxValueBytes = copyMaxValueBytes;
    b.copyBatchBytes = copyBatchBytes;
    return b;
  }

  /**
   * The timeout MIGRATE gets for keys of {@code bytes} (0 or negative: unknown or small), in milliseconds:
   * {@code migrateTimeout + timeoutPerMiB} per started MiB. The mover passes a batch's size, a node's data
   * path the size of the biggest of a command's keys.
   */
  public long migrateTimeoutMillis(long bytes) {
    long perMiB = timeoutPerMiB.toMillis();
    long mib = bytes <= 0 ? 0 : (bytes + MIB - 1) / MIB;
    return migrateTimeout.toMillis() + mib * perMiB;
  }

  /** How long the mover waits for the reply to any other command than a MIGRATE (SCAN, DUMP, EXEC, ...). */
  long commandWaitNanos() {
    return replyWaitNanos(migrateTimeout.toMillis());
  }

  /**
   * How long to wait for the reply to a MIGRATE that was given {@code timeoutMillis}: three times that
   * (MIGRATE's several socket operations each get it) plus {@code replySlack}.
   */
  public long replyWaitNanos(long timeoutMillis) {
    return Duration.ofMillis(3 * timeoutMillis).plus(replySlack).toNanos();
  }

  /** The pause before try number {@code attempt} (2 for the first retry). */
  long backoffNanos(int attempt) {
    long nanos = retryBackoff.toNanos();
    for (int i = 2; i < attempt && nanos < retryBackoffMax.toNanos(); i++) {
      nanos *= 2;
    }
    return Math.min(nanos, retryBackoffMax.toNanos());
  }

  private static void positive(int v, String name) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be positive: " + v);
    }
  }

  /** Mutable builder; every field starts at its default. */
  public static final class Builder {
    private int batchKeys = 1000;
    private long maxBatchBytes = 0;
    private long bigKeyBytes = MIB;
    private int scanCount = 1000;
    private int pipelineDepth = 2;
    private Duration migrateTimeout = Duration.ofSeconds(5);
    private Duration timeoutPerMiB = Duration.ofMillis(100);
    private int maxAttempts = 5;
    private Duration retryBackoff = Duration.ofMillis(200);
    private Duration retryBackoffMax = Duration.ofSeconds(5);
    private Duration connectTimeout = Duration.ofSeconds(3);
    private Duration replySlack = Duration.ofSeconds(10);
    private int queueBatches = 16;
    private long maxKeysPerSecond = 0;
    private Duration pauseBetweenBatches = Duration.ZERO;
    private long yieldAbove = 200;
    private int yieldBatchKeys = 100;
    private int yieldPipelineDepth = 1;
    private Duration loadProbeInterval = Duration.ofMillis(200);
    private int copyLanes = 4;
    private long copyMaxValueBytes = 64 * 1024;
    private long copyBatchBytes = 8 * MIB;

    private Builder() {}

    public Builder batchKeys(int v) { batchKeys = v; return this; }
    public Builder maxBatchBytes(long v) { maxBatchBytes = v; return this; }
    public Builder bigKeyBytes(long v) { bigKeyBytes = v; return this; }
    public Builder scanCount(int v) { scanCount = v; return this; }
    public Builder pipelineDepth(int v) { pipelineDepth = v; return this; }
    public Builder migrateTimeout(Duration v) { migrateTimeout = v; return this; }
    public Builder timeoutPerMiB(Duration v) { timeoutPerMiB = v; return this; }
    public Builder maxAttempts(int v) { maxAttempts = v; return this; }
    public Builder retryBackoff(Duration v) { retryBackoff = v; return this; }
    public Builder retryBackoffMax(Duration v) { retryBackoffMax = v; return this; }
    public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
    public Builder replySlack(Duration v) { replySlack = v; return this; }
    public Builder queueBatches(int v) { queueBatches = v; return this; }
    public Builder maxKeysPerSecond(long v) { maxKeysPerSecond = v; return this; }
    public Builder pauseBetweenBatches(Duration v) { pauseBetweenBatches = v; return this; }
    public Builder yieldAbove(long v) { yieldAbove = v; return this; }
    public Builder yieldBatchKeys(int v) { yieldBatchKeys = v; return this; }
    public Builder yieldPipelineDepth(int v) { yieldPipelineDepth = v; return this; }
    public Builder loadProbeInterval(Duration v) { loadProbeInterval = v; return this; }
    public Builder copyLanes(int v) { copyLanes = v; return this; }
    public Builder copyMaxValueBytes(long v) { copyMaxValueBytes = v; return this; }
    public Builder copyBatchBytes(long v) { copyBatchBytes = v; return this; }

    public ServerMoverSettings build() {
      return new ServerMoverSettings(batchKeys, maxBatchBytes, bigKeyBytes, scanCount, pipelineDepth,
          migrateTimeout, timeoutPerMiB, maxAttempts, retryBackoff, retryBackoffMax, connectTimeout,
          replySlack, queueBatches, maxKeysPerSecond, pauseBetweenBatches, yieldAbove, yieldBatchKeys,
          yieldPipelineDepth, loadProbeInterval, copyLanes, copyMaxValueBytes, copyBatchBytes);
    }
  }
}
