package dev.rekko.multinode.chaos;

import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster of the failover scenarios: three nodes and two groups of a master and one or more
 * replicas each (group 1 owns slots 0..511, group 2 512..1023), with automatic failover on
 * ({@code rekko.ha}, its defaults: a PING every 500 ms, down after 3 s). Scenarios share it while it is
 * healthy (see {@link #healthy}), since three node JVMs take half a minute to start on two busy cores;
 * each scenario leaves every group with a master and replicas that follow it.
 */
final class FailoverCluster implements AutoCloseable {
  /** Only a hang fails: on two busy cores three node JVMs have taken over two minutes to serve. */
  static final Duration READY = Duration.ofSeconds(180);

  private final Map<String, String> settings;
  private final int replicas;
  private final ChaosCluster cluster;
  private final GroupWatch groups;

  private FailoverCluster(Map<String, String> settings, int replicas, ChaosCluster cluster) {
    this.settings = settings;
    this.replicas = replicas;
    this.cluster = cluster;
    this.groups = new GroupWatch(cluster);
  }

  /**
   * Starts the servers, {@code replicas} replicas per group, and the nodes with {@code extra} settings,
   * and waits until every replica follows its master.
   */
  static FailoverCluster start(String name, Map<String, String> extra, int replicas) throws Exception {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("rekko.ha.enabled", "on");
    settings.putAll(extra);
    FailoverCluster fc = new FailoverCluster(Map.copyOf(extra), replicas,
        ChaosCluster.create(name, 2, replicas, 3, settings));
    try {
      fc.cluster.startAll(READY);
      if (!fc.healthy(Duration.ofSeconds(60))) {
        throw new AssertionError("the new cluster's replicas do not follow their masters: " + fc.groups.describe(1)
            + fc.groups.describe(2) + "\n" + fc.cluster.logs());
      }
      return fc;
    } catch (Exception | Error e) {
      fc.close();
      throw e;
    }
  }

  /** The settings it was started with beyond the harness's own. */
  Map<String, String> settings() {
    return settings;
  }

  int replicas() {
    return replicas;
  }

  ChaosCluster cluster() {
    return cluster;
  }

  GroupWatch groups() {
    return groups;
  }

  BackendGroups backends() {
    return cluster.backends();
  }

  /**
   * Whether the cluster is fit for the next scenario, repairing what an earlier one (that failed) left
   * behind: dead servers are started again (empty), then, within {@code max}, every node must serve and
   * every group have one master that all nodes name and that each of its other servers follows.
   */
  boolean healthy(Duration max) throws InterruptedException, IOException {
    if (cluster.nodes().stream().anyMatch(n -> !n.alive() || n.frozen())) {
      return false;
    }
    backends().restartDead();
    long deadline = System.nanoTime() + max.toNanos();
    for (int g = 1; g <= 2; g++) {
      while (!groupHealthy(g)) {
        if (System.nanoTime() > deadline) {
          System.out.println("failover cluster not healthy: group " + g + groups.describe(g));
          return false;
        }
        Thread.sleep(200);
      }
    }
    try {
      cluster.awaitReady(Duration.ofMillis(Math.max(1_000, (deadline - System.nanoTime()) / 1_000_000)));
      return true;
    } catch (AssertionError e) {
      System.out.println("failover cluster not healthy: " + e.getMessage());
      return false;
    }
  }

  /** The master every node names for {@code group}, not switching. */
  RedisServer master(int group) throws InterruptedException {
    return backends().require(groups.awaitSettledMaster(group, Duration.ofSeconds(30)));
  }

  /** The group's servers other than {@code master}, in start order. */
  List<RedisServer> others(int group, RedisServer master) {
    return backends().servers(group).stream().filter(s -> s != master).toList();
  }

  /** Waits until {@code server} follows {@code master} with its link up; returns how long that took. */
  Duration awaitFollows(RedisServer server, RedisServer master, Duration max) throws InterruptedException {
    long start = System.nanoTime();
    while (!BackendGroups.follows(server, master)) {
      if (System.nanoTime() - start > max.toNanos()) {
        throw new AssertionError(server.address() + " does not follow " + master.address() + " " + max.toSeconds()
            + " s later; its INFO replication: " + BackendGroups.replication(server)
            + "\nthe group as the nodes see it:"
            + groups.describe(groupOf(server)) + "\n" + cluster.logs());
      }
      Thread.sleep(100);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  int groupOf(RedisServer server) {
    for (int g = 1; g <= 2; g++) {
      if (backends().servers(g).contains(server)) {
        return g;
      }
    }
    throw new AssertionError(server + " is in no group");
  }

  @Override
  public void close() {
    cluster.close();
  }

  private boolean groupHealthy(int g) throws InterruptedException {
    var master = groups.settledMaster(g);
    if (master.isEmpty()) {
      return false;
    }
    RedisServer m = backends().server(master.get()).orElse(null);
    if (m == null || !m.isRunning() || !"master".equals(BackendGroups.replication(m).get("role"))) {
      return false;
    }
    List<RedisServer> others = backends().servers(g).stream().filter(s -> s != m).toList();
    return others.stream().allMatch(s -> BackendGroups.follows(s, m));
  }
}
