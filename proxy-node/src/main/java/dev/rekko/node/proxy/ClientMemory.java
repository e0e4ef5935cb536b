package dev.rekko.node.proxy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's budget for what its clients hold ({@code rekko.proxy.max-memory}): the sum over all
 * sessions of reply bytes not yet written and input not yet parsed. Above the budget the node stops
 * reading from every client, so no new command can bring more replies; it reads again once the sum
 * is back under 7/8 of the budget. Commands already sent can still bring big replies, so above 1.5
 * times the budget, or when the sum has stayed above the budget for {@link #STALL_NANOS} (clients
 * that never read would otherwise keep every client waiting forever), it closes the clients holding
 * the most, one WARN line each, until the sum minus what they hold is back under the budget — as
 * Redis 7 evicts clients above {@code maxmemory-clients}. Backpressure and eviction, never an
 * OutOfMemoryError.
 *
 * <p>The hot path costs one atomic add per charge or release; the budget's checks run only when the
 * sum crosses one of the levels.
 */
final class ClientMemory {
  private static final Logger log = LoggerFactory.getLogger(ClientMemory.class);
  static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final long budget;
  private final long resumeBelow;
  private final long evictAbove;
  private final Collection<Session> sessions;
  private final AtomicLong used = new AtomicLong();
  /** Bytes held by clients already marked for closing: about to be freed. */
  private final AtomicLong dooming = new AtomicLong();
  private final AtomicBoolean evicting = new AtomicBoolean();
  private final List<Runnable> resumeListeners = new CopyOnWriteArrayList<>();
  private volatile boolean paused;
  private volatile long pausedSince;
  // Guarded by this: pauses are logged at most every LOG_EVERY, with how many there were.
  private static final long LOG_EVERY = TimeUnit.SECONDS.toNanos(10);
  private long lastLog = System.nanoTime() - LOG_EVERY;
  private long pausesUnlogged;

  final AtomicLong evictedClients = new AtomicLong();
  final AtomicLong outputLimitDisconnections = new AtomicLong();
  final AtomicLong queryLimitDisconnections = new AtomicLong();

  /**
   * @param budget   bytes; 0 counts but never pauses nor evicts
   * @param sessions the node's live sessions, read when choosing whom to evict
   */
  ClientMemory(long budget, Collection<Session> sessions) {
    this.budget = budget;
    this.resumeBelow = budget - budget / 8;
    this.evictAbove = budget + budget / 2;
    this.sessions = sessions;
  }

  long budget() {
    return budget;
  }

  /** Bytes all clients hold now. */
  long used() {
    return used.get();
  }

  /** True while the node reads from no client. */
  boolean paused() {
    return paused;
  }

  /** {@code listener} runs (on the thread that saw the sum drop) each time reading may resume. */
  void onResume(Runnable listener) {
    resumeListeners.add(listener);
  }

  /** A client's holding grew or shrank by {@code delta} bytes; any thread. */
  void add(long delta) {
    long after = used.addAndGet(delta);
    if (budget == 0) {
      return;
    }
    if (delta > 0) {
      if (after > budget && !paused) {
        changeState();
      }
      if (after > evictAbove && after - dooming.get() > evictAbove) {
        evict(budget, "over 1.5 times");
      }
    } else if (paused && after <= resumeBelow) {
      changeState();
    }
  }

  /** Clients marked for closing hold {@code delta} more (or, negative, fewer) bytes. */
  void dooming(long delta) {
    dooming.addAndGet(delta);
  }

  /** Every second or so, from each client I/O thread: catches a resume missed by a race, and stalls. */
  void onTick(long now) {
    if (budget == 0 || !paused) {
      return;
    }
    if (used.get() <= resumeBelow) {
      changeState();
    } else if (now - pausedSince > STALL_NANOS) {
      evict(resumeBelow, "for " + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS) + " s over");
    }
  }

  /** Pauses or resumes by the sum as it is now; serialised, and rare (the sum crossed a level). */
  private synchronized void changeState() {
    long now = used.get();
    if (!paused && now > budget) {
      long t = System.nanoTime();
      pausedSince = t;
      paused = true;
      pausesUnlogged++;
      if (t - lastLog >= LOG_EVERY) {
        log.warn("clients hold {} bytes, over rekko.proxy.max-memory ({} bytes): reading from clients paused "
            + "until they hold under {} ({} pause(s) since the last such line)", now, budget, resumeBelow, pausesUnlogged);
        lastLog = t;
        pausesUnlogged = 0;
      }
    } else if (paused && now <= resumeBelow) {
      paused = false;
      for (Runnable r : resumeListeners) {
        r.run();
      }
    }
  }

  /**
   * Closes the clients holding the most until the sum, less what clients already marked hold, is at
   * most {@code target}. One evictor at a time; the others skip (it frees enough for them too). A client
   * that said CLIENT NO-EVICT ON is spared, as Redis spares it from maxmemory-clients.
   */
  private void evict(long target, String why) {
    if (!evicting.compareAndSet(false, true)) {
      return;
    }
    try {
      long excess = used.get() - dooming.get() - target;
      if (excess <= 0) {
        return;
      }
      // A snapshot: the sizes change while we sort.
      List<long[]> sizes = new ArrayList<>();
      List<Session> candidates = new ArrayList<>();
      for (Session s : sessions) {
        long m = s.held().total();
        if (m > 0 && !s.held().doomed() && !s.client().noEvict()) {
          sizes.add(new long[] {m, candidates.size()});
          candidates.add(s);
        }
      }
      sizes.sort((a, b) -> Long.compare(b[0], a[0]));
      long total = used.get();
      for (long[] size : sizes) {
        if (excess <= 0) {
          break;
        }
        Session s = candidates.get((int) size[1]);
        long owed = s.held().owed();
        long query = s.held().queryBytes();
        String who = ClientCommands.who(s);
        boolean doomed = s.held().doom(owed + query, () -> {
          evictedClients.incrementAndGet();
          log.warn("client {} evicted: it holds {} bytes (replies {}, query buffer {}), the most of any client, "
              + "while clients hold {} bytes, {} rekko.proxy.max-memory ({} bytes)",
              who, owed + query, owed, query, total, why, budget);
        });
        if (doomed) {
          excess -= owed + query;
        }
      }
    } finally {
      evicting.set(false);
    }
  }
}
