package dev.rekko.node;

import dev.rekko.node.config.BackendSettings;
import dev.rekko.node.config.GroupSeed;
import dev.rekko.node.config.NodeConfig;
import dev.rekko.redis.launcher.RedisBinary;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.redis.launcher.RedisServerOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The demo's Redis groups: a master and its replicas each, on free loopback ports. */
final class DemoRedis implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DemoRedis.class);

  private final List<List<RedisServer>> groups = new CopyOnWriteArrayList<>();

  /** Starts {@code groupCount} groups; the servers demand the password the nodes will send. */
  void start(NodeConfig base, int groupCount, int replicas) {
    RedisBinary binary = base.redisBinary().isBlank()
        ? RedisBinary.resolve()
        : RedisBinary.of(Path.of(base.redisBinary()), "rekko.redis.binary");
    log.info("starting {} Redis group(s) of 1 master + {} replica(s), redis-server {} ({})",
        groupCount, replicas, binary.version(), binary.path());
    for (int g = 1; g <= groupCount; g++) {
      List<RedisServer> group = new CopyOnWriteArrayList<>();
      groups.add(group);
      RedisServer master = withCredentials(RedisServer.builder().binary(binary), base.backend()).start();
      group.add(master);
      for (int r = 0; r < replicas; r++) {
        group.add(withCredentials(RedisServer.builder().binary(binary), base.backend()).replicaOf(master).start());
      }
      log.info("group {}: {}", g, group.stream().map(RedisServer::address).collect(Collectors.joining(", ")));
    }
  }

  /** The servers of group id i+1 at index i, master first. */
  List<List<RedisServer>> groups() {
    return groups.stream().map(List::copyOf).toList();
  }

  /** The groups as the nodes' bootstrap sees them. */
  List<GroupSeed> seeds() {
    List<GroupSeed> seeds = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      seeds.add(new GroupSeed(i + 1, groups.get(i).stream().map(RedisServer::address).toList()));
    }
    return seeds;
  }

  int serverCount() {
    return groups.stream().mapToInt(List::size).sum();
  }

  @Override
  public void close() {
    for (List<RedisServer> group : groups) {
      // Replicas before their master, so none of them logs a lost master on the way out.
      for (int i = group.size() - 1; i >= 0; i--) {
        group.get(i).close();
      }
    }
  }

  private static RedisServerOptions withCredentials(RedisServerOptions options, BackendSettings backend) {
    if (backend.password().isEmpty()) {
      return options;
    }
    return backend.user().isEmpty()
        ? options.password(backend.password())
        : options.aclUser(backend.user(), backend.password());
  }
}
