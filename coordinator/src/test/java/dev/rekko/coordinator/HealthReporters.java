package dev.rekko.coordinator;

import dev.rekko.redis.admin.RedisAdmin;
import dev.rekko.redis.admin.ReplicationInfo;
import dev.rekko.redis.health.ServerHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * What the nodes' health checkers would send, for a coordinator-only test: every 200 ms each member of
 * the test cluster reports every watched server to the coordinator ({@link Coordinator.HealthReport}).
 * The servers are probed for real (PING, INFO); a member can be made blind to a server (it then reports
 * it down), and all reports can be paused (the coordinator's view of them goes stale: no opinion).
 */
final class HealthReporters implements AutoCloseable {
  private static final Duration PROBE_TIMEOUT = Duration.ofMillis(300);

  private final CoordinatorCluster cluster;
  private final String password;
  private final List<String> servers;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final Map<String, Set<String>> blind = new ConcurrentHashMap<>();
  /** Per member and server: since when (nanoTime) that member has seen it down. */
  private final Map<String, Map<String, Long>> downSince = new HashMap<>();
  private final Object round = new Object();
  private volatile boolean paused;

  HealthReporters(CoordinatorCluster cluster, String password, List<String> servers) {
    this.cluster = cluster;
    this.password = password;
    this.servers = List.copyOf(servers);
    timer.scheduleWithFixedDelay(this::reportAll, 0, 200, TimeUnit.MILLISECONDS);
  }

  static String name(CoordinatorCluster.Node node) {
    return Cluster.get(node.system()).selfMember().address().toString();
  }

  /** That member sees {@code addr} down from now on (or again up, with {@code false}). */
  void blind(int node, String addr, boolean on) {
    Set<String> set = blind.computeIfAbsent(name(cluster.node(node)), k -> ConcurrentHashMap.newKeySet());
    if (on) {
      set.add(addr);
    } else {
      set.remove(addr);
    }
  }

  /** Stops (or resumes) the reports; once paused, no round that probed before is still to be sent. */
  void pause(boolean on) {
    paused = on;
    synchronized (round) {
      // waits for a round under way
    }
  }

  private void reportAll() {
    synchronized (round) {
      if (!paused) {
        reportRound();
      }
    }
  }

  private void reportRound() {
    try {
      Map<String, ServerHealth> probed = new HashMap<>();
      servers.forEach(s -> probed.put(s, probe(s)));
      long now = System.nanoTime();
      for (CoordinatorCluster.Node node : cluster.nodes) {
        String me = name(node);
        Map<String, Long> since = downSince.computeIfAbsent(me, k -> new HashMap<>());
        List<ServerHealth> view = new ArrayList<>();
        for (String s : servers) {
          ServerHealth h = probed.get(s);
          if (h.up() && !blind.getOrDefault(me, Set.of()).contains(s)) {
            since.remove(s);
            view.add(h);
          } else {
            long down = since.computeIfAbsent(s, k -> now);
            view.add(ServerHealth.down(s, TimeUnit.NANOSECONDS.toMillis(now - down)));
          }
        }
        node.coordinator().tell(new Coordinator.HealthReport(me, view));
      }
    } catch (RuntimeException e) {
      // The cluster is being stopped; the next round tries again.
    }
  }

  private ServerHealth probe(String addr) {
    try (RedisAdmin admin = RedisAdmin.connect(addr, "", password, PROBE_TIMEOUT)) {
      admin.ping();
      Map<String, String> info = admin.info("replication");
      ReplicationInfo role = ReplicationInfo.parse(info);
      long linkDown = role.linkUp() ? 0 : Math.max(0, number(info.get("master_link_down_since_seconds")) * 1000);
      long keys = 0;
      for (String v : admin.info("keyspace").values()) {
        keys += number(v.split(",")[0].replace("keys=", ""));
      }
      return new ServerHealth(addr, true, 0, role.replica() ? "replica" : "master", role.masterAddress(),
          role.linkUp(), linkDown, role.offset(), info.getOrDefault("master_replid", ""),
          admin.info("server").getOrDefault("run_id", ""), keys,
          (int) number(info.getOrDefault("slave_priority", "100")), 0);
    } catch (Exception e) {
      return ServerHealth.down(addr, 0);
    }
  }

  private static long number(String s) {
    try {
      return s == null ? 0 : Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
