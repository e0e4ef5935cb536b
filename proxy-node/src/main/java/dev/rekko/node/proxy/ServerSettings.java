package dev.rekko.node.proxy;

import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendPool;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.Topology;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What this node's clients set on every server, so that servers that join later get it too: the
 * parameters of the CONFIG SETs that succeeded everywhere (name → value) and the scripts SCRIPT LOAD
 * loaded (sha → body). When a server appears in the topology that was not in the previous one,
 * {@link ServerReplay} applies them to it, and copies the functions onto a new master (a replica gets
 * them from its master by replication).
 *
 * <p>Per node: a node remembers what its own clients did since it started, nothing more. A server that
 * was in the topology when the node started, or that restarted without leaving the topology, is not
 * replayed to.
 */
final class ServerSettings {
  private final BackendPool pool;
  // Guarded by this; in the order they were set, the latest last.
  private final LinkedHashMap<String, String> configs = new LinkedHashMap<>();
  private final LinkedHashMap<String, byte[]> scripts = new LinkedHashMap<>();
  /** The servers of the last topology followed; null before the first. Topology thread only. */
  private Set<BackendAddress> present;
  private volatile Set<BackendAddress> current = Set.of();

  ServerSettings(BackendPool pool) {
    this.pool = pool;
  }

  /** A CONFIG SET of {@code name} to {@code value} succeeded on every server. */
  synchronized void configured(String name, String value) {
    String key = ConfigParameters.canonical(name);
    configs.remove(key);
    configs.put(key, value);
  }

  /** SCRIPT LOAD of {@code body} (as {@code sha}) succeeded on every server. */
  synchronized void loaded(String sha, byte[] body) {
    scripts.put(sha, body);
  }

  /** SCRIPT FLUSH succeeded on every server. */
  synchronized void flushedScripts() {
    scripts.clear();
  }

  synchronized Map<String, String> configs() {
    return new LinkedHashMap<>(configs);
  }

  /** The remembered scripts, sha → body. */
  synchronized Map<String, byte[]> scripts() {
    return new LinkedHashMap<>(scripts);
  }

  /** Whether {@code server} is in the topology the node follows now. */
  boolean present(BackendAddress server) {
    return current.contains(server);
  }

  BackendPool pool() {
    return pool;
  }

  /**
   * The node follows {@code t} now: replays to each server that was not in the previous topology, off
   * this (the topology replica's) thread. The first topology's servers count as seen.
   */
  void follow(Topology t) {
    Map<BackendAddress, Boolean> now = new LinkedHashMap<>();
    for (GroupInfo g : t.groups().values()) {
      for (ServerInfo s : g.servers()) {
        now.put(s.address(), s.isMaster());
      }
    }
    Set<BackendAddress> before = present;
    present = Set.copyOf(now.keySet());
    current = present;
    if (before == null) {
      return;
    }
    // Functions are copied from a master that was there before: it has them all.
    BackendAddress source = null;
    for (var e : now.entrySet()) {
      if (e.getValue() && before.contains(e.getKey())) {
        source = e.getKey();
        break;
      }
    }
    for (var e : now.entrySet()) {
      if (!before.contains(e.getKey())) {
        ServerReplay replay = new ServerReplay(this, e.getKey(), e.getValue() ? source : null, 1);
        CompletableFuture.runAsync(replay::run);
      }
    }
  }
}
