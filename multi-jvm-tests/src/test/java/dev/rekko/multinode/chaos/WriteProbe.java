package dev.rekko.multinode.chaos;

import dev.rekko.protocol.SlotHash;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Times how long a group takes to accept writes again: SETs a key of the group's slots through the
 * nodes, one at a time, until one is answered {@code OK}. A command that waits (held while the group's
 * master is switched) counts from when it was sent; error replies and broken connections are retried
 * at once (the next node after a broken connection).
 */
final class WriteProbe {
  private final ChaosCluster cluster;
  private final String key;
  private final Map<String, Integer> errors = new TreeMap<>();
  private int attempts;

  private WriteProbe(ChaosCluster cluster, String key) {
    this.cluster = cluster;
    this.key = key;
  }

  /** A probe of a key that {@code via} routes to group {@code group}, ONLINE there. */
  static WriteProbe forGroup(ChaosCluster cluster, ChaosNode via, int group) throws IOException, InterruptedException {
    Set<Integer> slots = new GroupWatch(cluster).onlineSlots(via, group);
    if (slots.isEmpty()) {
      throw new AssertionError("group " + group + " has no ONLINE slot on node " + via.index());
    }
    for (int n = 0; ; n++) {
      String key = "probe:" + group + ":" + n;
      if (slots.contains(SlotHash.slot(key))) {
        return new WriteProbe(cluster, key);
      }
    }
  }

  /**
   * SETs the key until a node answers OK, at most {@code max}; returns the time from {@code since}
   * ({@link System#nanoTime()}) to that answer.
   */
  Duration awaitAccepted(long since, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    List<ChaosNode> nodes = cluster.nodes();
    int next = 0;
    while (System.nanoTime() < deadline) {
      ChaosNode n = nodes.get(next % nodes.size());
      if (!n.alive() || n.frozen()) {
        next++;
        continue;
      }
      try (Jedis j = connect(n, deadline)) {
        while (System.nanoTime() < deadline) {
          attempts++;
          try {
            if ("OK".equals(j.set(key, "v" + attempts))) {
              return Duration.ofNanos(System.nanoTime() - since);
            }
          } catch (JedisDataException e) {
            errors.merge(shorten(e.getMessage()), 1, Integer::sum);
            Thread.sleep(10);
          }
        }
      } catch (JedisConnectionException e) {
        errors.merge("(connection) " + shorten(e.getMessage()), 1, Integer::sum);
        next++;
        Thread.sleep(50);
      }
    }
    throw new AssertionError("no write to " + key + " was accepted within " + max.toSeconds() + " s ("
        + attempts + " attempts, errors " + errors + ")\n" + cluster.logs());
  }

  /** Error replies and connection failures seen, by text. */
  Map<String, Integer> errors() {
    return Map.copyOf(errors);
  }

  String key() {
    return key;
  }

  private static Jedis connect(ChaosNode n, long deadline) {
    int timeout = (int) Math.max(1_000, Math.min(30_000, (deadline - System.nanoTime()) / 1_000_000));
    return new Jedis(new HostAndPort("127.0.0.1", n.setting("rekko.proxy.port")),
        DefaultJedisClientConfig.builder().timeoutMillis(timeout).autoNegotiateProtocol(false).build());
  }

  private static String shorten(String s) {
    String t = String.valueOf(s).replaceAll("127\\.0\\.0\\.1:\\d+", "<server>");
    return t.length() > 120 ? t.substring(0, 120) + "..." : t;
  }
}
