package dev.rekko.coordinator;

import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.Topology;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Fills in the Redis version of servers the topology has none for: those of the bootstrap seed, which
 * the configuration names without asking them. Without it, the check that refuses a migration from a
 * newer Redis to an older one (the older cannot read the newer DUMP format) had nothing to compare on a
 * seeded cluster. Probes run on the coordinator's Redis dispatcher, at most every {@link #PROBE_EVERY};
 * what they learn is written one group at a time by the coordinator, as an ordinary group write.
 */
final class VersionLearner {
  static final Duration PROBE_EVERY = Duration.ofSeconds(10);

  private final ServerOps redis;
  private final Executor blocking;
  private final Map<String, String> learned = new HashMap<>();
  private boolean probing;
  private long lastProbe = Long.MIN_VALUE / 2;

  VersionLearner(ServerOps redis, Executor blocking) {
    this.redis = redis;
    this.blocking = blocking;
  }

  static List<String> unversioned(Topology t) {
    return t.groups().values().stream().flatMap(g -> g.servers().stream())
        .filter(s -> s.redisVersion().isEmpty()).map(ServerInfo::addr).toList();
  }

  /** A probe of the servers still without a version, unless one runs or ran less than {@link #PROBE_EVERY} ago. */
  Optional<CompletionStage<Map<String, String>>> probe(Topology t, long nowNanos) {
    List<String> missing = unversioned(t).stream().filter(a -> !learned.containsKey(a)).toList();
    if (missing.isEmpty() || probing || nowNanos - lastProbe < PROBE_EVERY.toNanos()) {
      return Optional.empty();
    }
    probing = true;
    lastProbe = nowNanos;
    return Optional.of(CompletableFuture.supplyAsync(() -> redis.versions(missing), blocking));
  }

  void learned(Map<String, String> versions) {
    probing = false;
    if (versions != null) {
      learned.putAll(versions);
    }
  }

  /**
   * The first group that has a server whose version was learned but is not in the topology yet, with
   * those versions filled in (its epoch unchanged: the caller gives it the next one).
   */
  Optional<GroupInfo> nextGroup(Topology t) {
    for (GroupInfo g : t.groups().values()) {
      boolean changed = false;
      List<ServerInfo> servers = new java.util.ArrayList<>();
      for (ServerInfo s : g.servers()) {
        String v = learned.get(s.addr());
        if (s.redisVersion().isEmpty() && v != null) {
          servers.add(new ServerInfo(s.addr(), s.role(), s.datacenter(), v));
          changed = true;
        } else {
          servers.add(s);
        }
      }
      if (changed) {
        return Optional.of(g.withServers(servers, g.epoch()));
      }
    }
    return Optional.empty();
  }
}
