package dev.rekko.redis.health;

import dev.rekko.redis.admin.RedisAdmin;
import dev.rekko.redis.admin.RedisAdminException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks of one server, one blocking {@link #check()} at a time: a PING on a connection kept open
 * between checks (so a check costs one round trip, not a TCP handshake), and the default {@code INFO} on the
 * same connection when the last one is older than {@code infoInterval}. {@link #close()} may come from any
 * thread, also during a check, which then fails at once.
 */
final class ServerProbe implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServerProbe.class);
  static final int DEFAULT_PRIORITY = 100;

  private final String addr;
  private final HealthChecker.Settings settings;
  private final LongSupplier nanoClock;
  // Volatile, with closed: close() runs on another thread and must see (and close) a connection just opened.
  private volatile RedisAdmin admin;
  private volatile boolean closed;

  // Only the checking thread touches these (one check at a time).
  private long downSince = -1;
  private Map<String, String> info;
  private long infoAt;
  private boolean infoFailing;
  private Integer masterPriority;
  private String neverLinkedRunId = "";
  private long neverLinkedSince = -1;

  ServerProbe(String addr, HealthChecker.Settings settings, LongSupplier nanoClock) {
    this.addr = addr;
    this.settings = settings;
    this.nanoClock = nanoClock;
  }

  String addr() {
    return addr;
  }

  /** One check: PING, and INFO when due. Never throws; a server that does not answer in time is down. */
  ServerHealth check() {
    long start = nanoClock.getAsLong();
    try {
      ping(connection());
    } catch (RedisAdminException | RuntimeException e) {
      return failed(start, e);
    }
    if (downSince >= 0) {
      log.info("server {} answers again after {} ms", addr, millis(start - downSince));
      downSince = -1;
    }
    if (info == null || start - infoAt >= settings.infoInterval().toNanos()) {
      refreshInfo(start);
    }
    if (info == null) {
      return new ServerHealth(addr, true, 0, "", "", false, 0, 0, "", "", 0, DEFAULT_PRIORITY, 0);
    }
    long neverLinked = neverLinkedSince < 0 ? 0 : millis(infoAt - neverLinkedSince);
    return health(addr, info, masterPriority == null ? DEFAULT_PRIORITY : masterPriority, neverLinked,
        millis(nanoClock.getAsLong() - infoAt));
  }

  @Override
  public void close() {
    closed = true;
    RedisAdmin a = admin;
    if (a != null) {
      a.close();
    }
  }

  private RedisAdmin connection() throws RedisAdminException {
    RedisAdmin a = admin;
    if (a == null) {
      if (closed) {
        throw new IllegalStateException("probe of " + addr + " closed");
      }
      a = RedisAdmin.connect(addr, settings.user(), settings.password(), settings.tls(), settings.pingTimeout());
      masterPriority = null;
      admin = a;
      if (closed) {
        a.close();
      }
    }
    return a;
  }

  private static void ping(RedisAdmin a) throws RedisAdminException {
    try {
      a.ping();
    } catch (RedisAdminException e) {
      // As Sentinel: a server loading its data, or a replica refusing stale reads, is alive.
      String msg = String.valueOf(e.getMessage());
      boolean alive = e.kind() == RedisAdminException.Kind.ERROR_REPLY
          && (msg.contains("failed: LOADING") || msg.contains("failed: MASTERDOWN"));
      if (!alive) {
        throw e;
      }
    }
  }

  private ServerHealth failed(long start, Exception e) {
    dropConnection();
    info = null;
    infoFailing = false;
    if (downSince < 0) {
      downSince = start;
      if (!closed) {
        log.info("server {} is down: {}", addr, e.getMessage());
      }
    }
    return ServerHealth.down(addr, millis(nanoClock.getAsLong() - downSince));
  }

  private void refreshInfo(long now) {
    RedisAdmin a = admin;
    try {
      Map<String, String> fresh = a.info("");
      if (fresh.getOrDefault("role", "").equals("master") && masterPriority == null) {
        masterPriority = readPriority(a);
      }
      info = fresh;
      infoAt = now;
      trackNeverLinked(fresh, now);
      if (infoFailing) {
        log.info("server {} answers INFO again", addr);
        infoFailing = false;
      }
    } catch (RedisAdminException | RuntimeException e) {
      // PING answered, so the server is up; the last INFO stays and ages until INFO works again.
      if (!infoFailing) {
        log.warn("server {} answers PING but not INFO: {}", addr, e.getMessage());
        infoFailing = true;
      }
      if (e instanceof RedisAdminException r && r.kind() == RedisAdminException.Kind.UNREACHABLE) {
        dropConnection();
      }
    }
  }

  /** {@code replica-priority} of a master (INFO shows it only for replicas); 100 when CONFIG is refused. */
  private int readPriority(RedisAdmin a) throws RedisAdminException {
    try {
      return a.configGet("replica-priority").map(v -> (int) number(v, DEFAULT_PRIORITY)).orElse(DEFAULT_PRIORITY);
    } catch (RedisAdminException e) {
      if (e.kind() == RedisAdminException.Kind.UNREACHABLE) {
        throw e;
      }
      return DEFAULT_PRIORITY;
    }
  }

  /** Redis gives no duration for a link never up with the current master: count from when this probe saw it. */
  private void trackNeverLinked(Map<String, String> fresh, long now) {
    String runId = fresh.getOrDefault("run_id", "");
    if (!neverLinked(fresh)) {
      neverLinkedSince = -1;
    } else if (neverLinkedSince < 0 || !runId.equals(neverLinkedRunId)) {
      neverLinkedSince = now;
      neverLinkedRunId = runId;
    }
  }

  private void dropConnection() {
    RedisAdmin a = admin;
    admin = null;
    if (a != null) {
      a.close();
    }
  }

  /**
   * The health a successful check reports, from the fields of the default {@code INFO}.
   *
   * @param masterPriority    the priority to report when INFO shows a master (it shows one only for replicas)
   * @param neverLinkedMillis the link-down time of a replica that Redis says never linked with its master
   * @param ageMillis         how old {@code info} is
   */
  static ServerHealth health(String addr, Map<String, String> info, int masterPriority, long neverLinkedMillis,
      long ageMillis) {
    String redisRole = info.getOrDefault("role", "");
    boolean replica = redisRole.equals("slave");
    String role = replica ? "replica" : redisRole.equals("master") ? "master" : "";
    String masterAddr = "";
    boolean linkUp = false;
    long linkDown = 0;
    long offset = number(info.get("master_repl_offset"), 0);
    int priority = masterPriority;
    if (replica) {
      masterAddr = info.getOrDefault("master_host", "") + ":" + info.getOrDefault("master_port", "");
      linkUp = info.getOrDefault("master_link_status", "").equals("up");
      if (!linkUp) {
        linkDown = neverLinked(info) ? neverLinkedMillis : number(info.get("master_link_down_since_seconds"), 0) * 1000;
      }
      offset = number(info.get("slave_repl_offset"), offset);
      priority = (int) number(info.getOrDefault("replica_priority", info.get("slave_priority")), DEFAULT_PRIORITY);
    }
    return new ServerHealth(addr, true, 0, role, masterAddr, linkUp, linkDown, offset,
        info.getOrDefault("master_replid", ""), info.getOrDefault("run_id", ""), keys(info), priority, ageMillis);
  }

  /** A replica whose link is down and that Redis says never linked with this master ({@code -1}, or absent). */
  static boolean neverLinked(Map<String, String> info) {
    return info.getOrDefault("role", "").equals("slave")
        && !info.getOrDefault("master_link_status", "").equals("up")
        && number(info.get("master_link_down_since_seconds"), -1) < 0;
  }

  /** The sum of {@code keys=} over the {@code dbN:keys=…,expires=…} lines of {@code INFO keyspace}. */
  static long keys(Map<String, String> info) {
    long sum = 0;
    for (Map.Entry<String, String> e : info.entrySet()) {
      if (e.getKey().matches("db\\d+")) {
        for (String part : e.getValue().split(",")) {
          if (part.startsWith("keys=")) {
            sum += number(part.substring(5), 0);
          }
        }
      }
    }
    return sum;
  }

  private static long number(String s, long otherwise) {
    if (s == null || s.isBlank()) {
      return otherwise;
    }
    try {
      return Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(Math.max(0, nanos));
  }
}
