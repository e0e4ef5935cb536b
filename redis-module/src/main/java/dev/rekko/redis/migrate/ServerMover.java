package dev.rekko.redis.migrate;

import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.backend.BackendAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Moves keys away from one source Redis: the mover of a source server. One {@link #walk} SCANs every
 * database of the source once and moves every key whose slot is leaving, to that slot's target, in
 * batches per (target, database): by copy-and-delete under WATCH on {@link ServerMoverSettings#copyLanes()}
 * lanes ({@link Copier}), or with pipelined {@code MIGRATE host port "" db timeout [AUTH ...] KEYS ...}
 * when that is 0 ({@link Migrator}); big values and failed rounds go by MIGRATE either way. Neither
 * ever writes over a key the target holds: that key's copy on the source is deleted instead (see
 * {@link MigrateReplies#BUSY_KEY}).
 * SCAN runs on one connection in a helper thread, with a bounded queue between it and the movers.
 *
 * <p>Walks run one at a time (a second concurrent call fails); between walks slots may join or leave
 * the map freely. {@link #cancel()} or interrupting the walking thread stops a walk within a fraction
 * of a second plus the MIGRATE running at that moment; a cancelled or failed walk proves nothing about
 * any slot, and the next walk simply starts over. The throttle may be changed from any thread.
 */
public final class ServerMover implements AutoCloseable {
  private final BackendAddress source;
  private final Credentials credentials;
  private final List<Integer> databases;
  private final ServerMoverSettings options;
  private final MoverListener listener;
  private final Throttle throttle;
  private final Scanner scanner;
  private final Migrator migrator;
  private final Migrator single;
  /** Null when walks move keys with MIGRATE ({@link ServerMoverSettings#copyLanes()} 0). */
  private final Copier copier;
  private final SourceLoad load;
  // Guarded by itself: a walk and moveKeys are "busy"; close() leaves the connections of a busy mover to
  // the last busy thread, which closes them on its way out (see close()).
  private final Object lifecycle = new Object();
  private boolean walking;
  private int busy;
  private boolean closed;
  private volatile AtomicBoolean cancelFlag = new AtomicBoolean();
  private volatile Walk current;

  /**
   * @param databases the source databases to walk; empty: those holding keys when each walk starts
   *     (from {@code INFO keyspace}), which is enough because no key of a leaving slot is written to
   *     the source after its barrier
   */
  public ServerMover(BackendAddress source, Credentials credentials, List<Integer> databases,
      ServerMoverSettings options, MoverListener listener) {
    this(source, credentials, databases, options, listener, MoverClock.SYSTEM);
  }

  ServerMover(BackendAddress source, Credentials credentials, List<Integer> databases, ServerMoverSettings options,
      MoverListener listener, MoverClock clock) {
    this.source = Objects.requireNonNull(source, "source");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.databases = List.copyOf(databases);
    this.options = Objects.requireNonNull(options, "options");
    this.listener = listener == null ? MoverListener.NONE : listener;
    for (int db : this.databases) {
      if (db < 0) {
        throw new IllegalArgumentException("database must be >= 0: " + db);
      }
    }
    this.throttle = new Throttle(clock, options.maxKeysPerSecond(), options.pauseBetweenBatches());
    this.load = new SourceLoad(source, credentials, options);
    this.scanner = new Scanner(source, options, clock, load);
    this.migrator = new Migrator(source, credentials, options, clock, load);
    this.single = new Migrator(source, credentials, options, clock, load);
    this.copier = options.copyLanes() > 0 ? new Copier(source, credentials, options, clock, load) : null;
  }

  public BackendAddress source() {
    return source;
  }

  public ServerMoverSettings options() {
    return options;
  }

  /** The run-time speed limits of this mover's walks. */
  public Throttle throttle() {
    return throttle;
  }

  /**
   * One full SCAN walk of the source, moving the keys of every slot in {@code leaving} to its target.
   *
   * @param leaving slot → target server; slots not in the map are left alone
   * @throws MoveException when the source or a target stayed unreachable or refused a move
   * @throws CancellationException when {@link #cancel()} was called during the walk
   * @throws InterruptedException when the calling thread was interrupted
   */
  public WalkResult walk(Map<Integer, BackendAddress> leaving) throws MoveException, InterruptedException {
    AtomicBoolean cancelled = new AtomicBoolean();
    synchronized (lifecycle) {
      if (walking) {
        throw new IllegalStateException("a walk of " + source + " is already running");
      }
      enter();
      walking = true;
      cancelFlag = cancelled;
    }
    try {
      Walk walk = new Walk(leaving, throttle, listener, cancelled);
      current = walk;
      long start = System.nanoTime();
      if (!leaving.isEmpty()) {
        run(walk);
      }
      WalkResult result = walk.result(Duration.ofNanos(System.nanoTime() - start));
      listener.onWalkDone(result);
      return result;
    } finally {
      current = null;
      synchronized (lifecycle) {
        walking = false;
      }
      leave();
    }
  }

  /** Marks the mover busy; refused once closed. Holds {@code lifecycle} or takes it. */
  private void enter() {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException("the mover of " + source + " is closed");
      }
      busy++;
    }
  }

  /** The last busy thread of a closed mover closes its connections: no other thread uses them then. */
  private void leave() {
    boolean closeNow;
    synchronized (lifecycle) {
      closeNow = --busy == 0 && closed;
    }
    if (closeNow) {
      closeConnections();
    }
  }

  /**
   * Whether the walks send short MIGRATEs one at a time, because clients use the source too (see
   * {@link ServerMoverSettings#yieldAbove()}).
   */
  public boolean yieldingToClients() {
    return load.yielding();
  }

  /** Null when walks use MIGRATE. */
  Copier copier() {
    return copier;
  }

  SourceLoad load() {
    return load;
  }

  /** Keys moved so far by the walk running now, per slot of it; empty when none runs. */
  public Map<Integer, Long> movedInCurrentWalk() {
    Walk walk = current;
    return walk == null ? Map.of() : walk.movedSoFar();
  }

  /**
   * Adds slots to the walk running now, from SCAN's next reply on, so that slots whose barrier ends
   * while a walk runs need not wait for it: keys SCAN already passed are left to the next walk, and
   * {@link WalkResult#nothingLeft} is false for them. Slots already in the walk keep their target.
   *
   * @return false when no walk was running (nothing joined)
   */
  public boolean join(Map<Integer, BackendAddress> slots) {
    Walk walk = current;
    if (walk == null) {
      return false;
    }
    slots.forEach(walk::join);
    return true;
  }

  private void run(Walk walk) throws MoveException, InterruptedException {
    BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(options.queueBatches());
    Throwable[] scanFailure = new Throwable[1];
    Thread scan = new Thread(() -> {
      try {
        scanner.walk(databases, walk, queue);
      } catch (Throwable e) {
        scanner.drop();
        scanFailure[0] = e;
        // Wake the MIGRATE side; it notices the failure after the batches already queued.
        try {
          while (!walk.cancelled() && !queue.offer(Batch.END, 100, TimeUnit.MILLISECONDS)) {
            // The MIGRATE side is busy; it takes a batch soon or the walk is cancelled.
          }
        } catch (InterruptedException ignored) {
          // Nobody interrupts this thread but the JVM going down.
        }
      }
    }, "rekko-mover-scan-" + source);
    scan.setDaemon(true);
    scan.start();
    load.start();
    boolean ok = false;
    try {
      if (copier != null) {
        copier.drain(queue, walk);
      } else {
        migrator.drain(queue, walk);
      }
      ok = true;
    } finally {
      if (!ok) {
        walk.cancel();
        migrator.dropConnection();
        if (copier != null) {
          copier.dropConnections();
        }
      }
      joinUninterruptibly(scan);
      load.stop();
    }
    Throwable e = scanFailure[0];
    if (e instanceof MoveException m) {
      throw m;
    } else if (e instanceof CancellationException c) {
      throw c;
    } else if (e instanceof InterruptedException) {
      throw new CancellationException("walk of " + source + " interrupted");
    } else if (e != null) {
      throw new IllegalStateException("walk of " + source + " failed", e);
    }
  }

  static void joinUninterruptibly(Thread t) {
    boolean interrupted = Thread.interrupted();
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the walk running now, if any; it ends with a {@link CancellationException}. */
  public void cancel() {
    cancelFlag.set(true);
  }

  /**
   * Moves {@code keys} of database {@code db} to {@code target} in one MIGRATE (retried like a walk's
   * batches, not throttled), on a connection of its own so that it may run during a walk. Meant for
   * tests and tools; the data path moves keys on its own asynchronous connections.
   *
   * @return true if MIGRATE moved at least one of the keys, false if none of them existed
   */
  public synchronized boolean moveKeys(int db, BackendAddress target, List<byte[]> keys)
      throws MoveException, InterruptedException {
    if (keys.isEmpty()) {
      return false;
    }
    Batch b = new Batch(Objects.requireNonNull(target, "target"), db);
    for (byte[] key : keys) {
      b.add(key, SlotHash.slot(key), -1);
    }
    Walk walk = new Walk(Map.of(), null, MoverListener.NONE, new AtomicBoolean());
    enter();
    boolean ok = false;
    try {
      single.moveOne(b, walk);
      ok = true;
    } finally {
      if (!ok) {
        single.dropConnection();
      }
      leave();
    }
    return walk.movedTotal > 0;
  }

  /**
   * Stops the mover for good: the walk running now, if any, is cancelled and closes the connections
   * itself on its way out, on its own thread (its lanes and SCAN thread are joined by then), so that no
   * connection is closed under a thread still using it; an idle mover closes them here. Returns at once
   * either way; a later walk is refused.
   */
  @Override
  public void close() {
    boolean closeNow;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      closeNow = busy == 0;
    }
    cancel();
    if (closeNow) {
      closeConnections();
    }
  }

  private void closeConnections() {
    scanner.close();
    migrator.close();
    single.close();
    if (copier != null) {
      copier.close();
    }
    load.close();
  }
}
