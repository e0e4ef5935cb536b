package dev.rekko.redis.health;

import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.tls.BackendTls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a set of backend servers on threads of its own: a PING every {@code checkInterval} (down when not
 * answered within {@code pingTimeout}), and {@code INFO} every {@code infoInterval}. Calls {@code onChange}
 * with the whole view whenever a server goes up or down, changes role or master, or its link changes.
 *
 * <p>Each server has its own task on a pool of two daemon threads ({@code rekko-health-N}), rescheduled
 * {@code checkInterval} after its previous check ended: the checks of one server never overlap, and one
 * server that hangs (each check then lasts up to twice {@code pingTimeout}: connect, then PING) leaves the
 * other thread to the rest. Servers that hang together share that thread, which delays the others' checks,
 * not their verdicts. A server's first check result is always reported; after that, offsets, keys and
 * ages alone are not a change (they travel with the node's periodic report of {@link #snapshot()}).
 * {@code onChange} runs on a checker thread, one call at a time and each with a view at least as new as
 * the one before; it should return quickly.
 */
public final class HealthChecker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  /**
   * How to check; user and password are the backend credentials (empty for none), {@code tls} the backend
   * TLS ({@code rekko.backend.tls}; null for plain TCP).
   */
  public record Settings(Duration checkInterval, Duration infoInterval, Duration pingTimeout, String user,
      String password, BackendTls tls) {
    /** Plain TCP. */
    public Settings(Duration checkInterval, Duration infoInterval, Duration pingTimeout, String user,
        String password) {
      this(checkInterval, infoInterval, pingTimeout, user, password, null);
    }
  }

  private final Settings settings;
  private final Consumer<List<ServerHealth>> onChange;
  private final ScheduledThreadPoolExecutor executor;
  private final Object watchLock = new Object();
  // Held while a view is taken and delivered, so views reach onChange in the order they were taken.
  private final Object notifyLock = new Object();
  private volatile Map<String, Watched> watched = Map.of();
  private volatile boolean closed;

  /**
   * @throws IllegalArgumentException when an interval or the timeout is not positive
   */
  public HealthChecker(Settings settings, Consumer<List<ServerHealth>> onChange) {
    for (Duration d : new Duration[] {settings.checkInterval(), settings.infoInterval(), settings.pingTimeout()}) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("health check intervals and timeout must be positive: " + settings);
      }
    }
    this.settings = new Settings(settings.checkInterval(), settings.infoInterval(), settings.pingTimeout(),
        Objects.requireNonNullElse(settings.user(), ""), Objects.requireNonNullElse(settings.password(), ""),
        settings.tls());
    this.onChange = Objects.requireNonNull(onChange, "onChange");
    executor = new ScheduledThreadPoolExecutor(2, r -> {
      Thread t = new Thread(r, "rekko-health-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
  }

  /**
   * The servers to check from now on ({@code host:port}); servers no longer listed are dropped. New ones
   * are checked at once and show as {@link ServerHealth#down down} with 0 ms until their first check ends.
   *
   * @throws IllegalArgumentException when an address is not {@code host:port} (nothing changes then)
   * @throws IllegalStateException    after {@link #close()}
   */
  public void watch(Collection<String> addrs) {
    List<String> wanted = addrs.stream().distinct().toList();
    wanted.forEach(BackendAddress::parse);
    List<Watched> dropped = new ArrayList<>();
    synchronized (watchLock) {
      if (closed) {
        throw new IllegalStateException("health checker is closed");
      }
      Map<String, Watched> before = watched;
      Map<String, Watched> next = new LinkedHashMap<>();
      List<Watched> added = new ArrayList<>();
      for (String addr : wanted) {
        Watched w = before.get(addr);
        if (w == null) {
          w = new Watched(new ServerProbe(addr, settings, System::nanoTime));
          added.add(w);
        }
        next.put(addr, w);
      }
      before.forEach((addr, w) -> {
        if (!next.containsKey(addr)) {
          dropped.add(w);
        }
      });
      // Published before the first check, whose report must include the server.
      watched = Collections.unmodifiableMap(next);
      added.forEach(this::start);
    }
    dropped.forEach(Watched::close);
  }

  /** The current view of every watched server. */
  public List<ServerHealth> snapshot() {
    return watched.values().stream().map(w -> w.last).toList();
  }

  /** Stops the checks and closes their connections, interrupting checks under way. */
  @Override
  public void close() {
    Map<String, Watched> all;
    synchronized (watchLock) {
      closed = true;
      all = watched;
      watched = Map.of();
    }
    executor.shutdownNow();
    all.values().forEach(Watched::close);
    try {
      if (!executor.awaitTermination(settings.pingTimeout().toMillis() * 2 + 1000, TimeUnit.MILLISECONDS)) {
        log.warn("health checks still running after close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the change from {@code before} to {@code after} is one that {@code onChange} reports. */
  static boolean changed(ServerHealth before, ServerHealth after) {
    return before.up() != after.up() || before.linkUp() != after.linkUp() || !before.role().equals(after.role())
        || !before.masterAddr().equals(after.masterAddr()) || !before.runId().equals(after.runId());
  }

  private void start(Watched w) {
    w.future = executor.scheduleWithFixedDelay(() -> check(w), 0, settings.checkInterval().toNanos(),
        TimeUnit.NANOSECONDS);
  }

  private void check(Watched w) {
    try {
      if (w.closed) {
        return;
      }
      ServerHealth next = w.probe.check();
      ServerHealth before = w.last;
      boolean report = !w.checked || changed(before, next);
      w.checked = true;
      w.last = next;
      if (report && !w.closed) {
        log.debug("server {} changed: {}", next.addr(), next);
        notifyChange();
      }
    } catch (RuntimeException e) {
      // A task that throws is never run again: log, and check again next time.
      log.warn("health check of {} failed", w.probe.addr(), e);
    }
  }

  private void notifyChange() {
    synchronized (notifyLock) {
      if (closed) {
        return;
      }
      List<ServerHealth> view = snapshot();
      try {
        onChange.accept(view);
      } catch (RuntimeException e) {
        log.warn("health change listener failed", e);
      }
    }
  }

  /** One watched server: its probe, its last result and its task. */
  private static final class Watched {
    final ServerProbe probe;
    volatile ServerHealth last;
    volatile ScheduledFuture<?> future;
    volatile boolean closed;
    // Only the checking thread touches it; the fixed-delay schedule orders the checks.
    boolean checked;

    Watched(ServerProbe probe) {
      this.probe = probe;
      this.last = ServerHealth.down(probe.addr(), 0);
    }

    void close() {
      closed = true;
      ScheduledFuture<?> f = future;
      if (f != null) {
        f.cancel(false);
      }
      probe.close();
    }
  }
}
