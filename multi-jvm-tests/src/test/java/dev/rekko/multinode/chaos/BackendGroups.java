package dev.rekko.multinode.chaos;

import dev.rekko.node.config.GroupSeed;
import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * The backend Redis servers of a {@link ChaosCluster}: per group a master and {@code replicas}
 * replicas ({@code replicaof} in their config, as the demo starts them), each in {@code redis-g-i/}
 * (the master of a group without replicas in {@code redis-g/}, as before). A server can be SIGKILLed
 * and started again on its port, empty and as a master, the way a crashed server comes back without
 * persistence. What the harness does to them goes to {@code servers.log}.
 */
final class BackendGroups implements AutoCloseable {
  private final Path dir;
  /** Group id g at index g-1; its servers in start order, the first one the master at start. */
  private final List<List<RedisServer>> groups = new ArrayList<>();

  private BackendGroups(Path dir) {
    this.dir = dir;
  }

  /** Starts {@code groupCount} groups of one master and {@code replicas} replicas each. */
  static BackendGroups start(Path dir, int groupCount, int replicas) throws IOException {
    BackendGroups b = new BackendGroups(dir);
    try {
      for (int g = 1; g <= groupCount; g++) {
        List<RedisServer> servers = new ArrayList<>();
        b.groups.add(servers);
        RedisServer master = RedisServer.builder().port(ChaosPorts.port()).dataDir(b.folder(g, 0, replicas)).start();
        servers.add(master);
        for (int r = 1; r <= replicas; r++) {
          servers.add(RedisServer.builder().port(ChaosPorts.port()).dataDir(b.folder(g, r, replicas))
              .replicaOf(master).start());
        }
        b.note("group " + g + ": " + servers.stream().map(RedisServer::address).toList());
      }
      return b;
    } catch (IOException | RuntimeException | Error e) {
      b.close();
      throw e;
    }
  }

  /** The groups as {@code rekko.bootstrap.groups} seeds them, master first. */
  List<GroupSeed> seeds() {
    List<GroupSeed> seeds = new ArrayList<>();
    for (int g = 1; g <= groups.size(); g++) {
      seeds.add(new GroupSeed(g, groups.get(g - 1).stream().map(RedisServer::address).toList()));
    }
    return seeds;
  }

  /** The server group {@code id} was started with as its master (not necessarily its master now). */
  synchronized RedisServer first(int id) {
    return groups.get(id - 1).get(0);
  }

  synchronized List<RedisServer> servers(int id) {
    return List.copyOf(groups.get(id - 1));
  }

  /** The server at {@code addr} ({@code host:port}), if it is one of ours. */
  synchronized Optional<RedisServer> server(String addr) {
    return groups.stream().flatMap(List::stream).filter(s -> s.address().equals(addr)).findFirst();
  }

  /** The server at {@code addr}; fails when none of ours is there. */
  RedisServer require(String addr) {
    return server(addr).orElseThrow(() -> new AssertionError("no server of ours at " + addr + ": " + groups));
  }

  /** SIGKILL, as a crash: no reply to anything in flight, no goodbye to replicas. */
  synchronized void kill(RedisServer server) {
    server.kill();
    note("SIGKILL " + server.address());
  }

  /**
   * Starts the server at {@code addr} again on the same port and folder, empty (no persistence) and
   * configured as a master: what a crashed master looks like when it returns. Returns the new handle.
   */
  synchronized RedisServer restartEmpty(String addr) throws IOException {
    RedisServer old = require(addr);
    if (old.isRunning()) {
      throw new IllegalStateException(addr + " still runs");
    }
    old.close(); // only unregisters it: it is dead and its folder is ours
    RedisServer fresh = RedisServer.builder().port(old.port()).dataDir(old.dataDir()).start();
    for (List<RedisServer> servers : groups) {
      servers.replaceAll(s -> s == old ? fresh : s);
    }
    note("started " + addr + " again, empty, as a master (pid " + fresh.pid() + ")");
    return fresh;
  }

  /** Starts every server that is not running again, empty (see {@link #restartEmpty}). */
  synchronized void restartDead() throws IOException {
    for (List<RedisServer> servers : groups) {
      for (RedisServer s : List.copyOf(servers)) {
        if (!s.isRunning()) {
          restartEmpty(s.address());
        }
      }
    }
  }

  /** {@code INFO replication} of a server as key/value pairs; empty when it does not answer. */
  static Map<String, String> replication(RedisServer server) {
    return info(server, "replication");
  }

  /** A section of {@code INFO} as key/value pairs; empty when the server does not answer. */
  static Map<String, String> info(RedisServer server, String section) {
    Map<String, String> out = new LinkedHashMap<>();
    try (Jedis j = connect(server, 2_000)) {
      for (String line : j.info(section).split("\r?\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && !line.startsWith("#")) {
          out.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
      }
    } catch (RuntimeException e) {
      // down, or busy loading: the caller polls
    }
    return out;
  }

  /** Whether {@code replica} follows {@code master} with its link up, by its own {@code INFO}. */
  static boolean follows(RedisServer replica, RedisServer master) {
    Map<String, String> r = replication(replica);
    return "slave".equals(r.get("role")) && String.valueOf(master.port()).equals(r.get("master_port"))
        && "up".equals(r.get("master_link_status"));
  }

  /** Waits (WAIT 1) until a replica of {@code master} has everything written to it so far. */
  static void awaitReplicated(RedisServer master, Duration max) {
    try (Jedis j = connect(master, (int) max.toMillis() + 5_000)) {
      long acked = j.waitReplicas(1, max.toMillis());
      if (acked < 1) {
        throw new AssertionError("no replica of " + master.address() + " confirmed its writes within "
            + max.toSeconds() + " s: " + replication(master));
      }
    }
  }

  static Jedis connect(RedisServer server, int timeoutMillis) {
    return new Jedis(new HostAndPort(server.host(), server.port()),
        DefaultJedisClientConfig.builder().timeoutMillis(timeoutMillis).autoNegotiateProtocol(false).build());
  }

  /** A line in {@code servers.log}, to read the nodes' logs against. */
  void note(String what) {
    try {
      Files.writeString(dir.resolve("servers.log"), LocalTime.now() + " chaos harness: " + what + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // the log is for people
    }
  }

  @Override
  public synchronized void close() {
    for (List<RedisServer> servers : groups) {
      // Replicas first, so that none of them logs a lost master on the way out.
      for (int i = servers.size() - 1; i >= 0; i--) {
        servers.get(i).close();
      }
    }
  }

  @Override
  public synchronized String toString() {
    return groups.toString();
  }

  private Path folder(int group, int index, int replicas) {
    return dir.resolve(replicas == 0 ? "redis-" + group : "redis-" + group + "-" + index);
  }
}
