package dev.rekko.redis.migrate;

import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.launcher.RedisServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** Keys aimed at chosen slots (through hash tags) and a few Redis helpers for the mover's tests. */
final class MoverFixtures {
  private static final Map<Integer, String> TAGS = new HashMap<>();

  private MoverFixtures() {}

  /** A hash tag whose slot is {@code slot}. */
  static synchronized String tagFor(int slot) {
    return TAGS.computeIfAbsent(slot, s -> {
      for (int n = 0; ; n++) {
        String tag = "t" + n;
        if (SlotHash.slot(tag) == s) {
          return tag;
        }
      }
    });
  }

  /** {@code n} distinct keys of {@code slot}: {@code {tag}:name:i}. */
  static List<String> keys(int slot, String name, int n) {
    String tag = tagFor(slot);
    List<String> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      keys.add("{" + tag + "}:" + name + ":" + i);
    }
    return keys;
  }

  static BackendAddress address(RedisServer server) {
    return new BackendAddress(server.host(), server.port());
  }

  static Jedis jedis(RedisServer server, int db) {
    return jedis(server, db, Credentials.NONE);
  }

  static Jedis jedis(RedisServer server, int db, Credentials credentials) {
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().database(db)
        .socketTimeoutMillis(60_000);
    if (credentials.present()) {
      config.password(credentials.password());
      if (!credentials.user().isEmpty()) {
        config.user(credentials.user());
      }
    }
    return new Jedis(new HostAndPort(server.host(), server.port()), config.build());
  }

  /** SET every key to {@code value}, pipelined. */
  static void load(RedisServer server, int db, List<String> keys, String value) {
    try (Jedis j = jedis(server, db)) {
      Pipeline p = j.pipelined();
      for (String k : keys) {
        p.set(k, value);
      }
      p.sync();
    }
  }

  /** Every key of the database. */
  static Set<String> keysIn(RedisServer server, int db) {
    Set<String> all = new HashSet<>();
    try (Jedis j = jedis(server, db)) {
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<String> r = j.scan(cursor, new ScanParams().count(1000));
        all.addAll(r.getResult());
        cursor = r.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }
    return all;
  }

  static ServerMover mover(RedisServer source, ServerMoverSettings options, MoverListener listener, MoverClock clock) {
    return new ServerMover(address(source), Credentials.NONE, List.of(), options, listener, clock);
  }

  /** A clock whose time moves only when someone sleeps: pauses are recorded, never waited for. */
  static final class FakeClock implements MoverClock {
    private long now = 1_000_000_000L;
    private long slept;

    @Override
    public synchronized long nanoTime() {
      return now;
    }

    @Override
    public synchronized void sleepNanos(long nanos) throws InterruptedException {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      now += nanos;
      slept += nanos;
    }

    synchronized long sleptNanos() {
      return slept;
    }
  }
}
