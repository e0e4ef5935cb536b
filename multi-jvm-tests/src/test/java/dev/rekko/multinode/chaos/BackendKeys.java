package dev.rekko.multinode.chaos;

import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.launcher.RedisServer;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** Keys as the backend Redis servers hold them, read and written around Rekko. */
final class BackendKeys {
  static final String FILLER_PREFIX = "fill:";

  private BackendKeys() {}

  /**
   * Writes {@code count} small keys of slots {@code from..to} straight to {@code server} (database 0),
   * so that the migration has a keyspace to walk and the fault finds its movers busy.
   */
  static void loadFiller(RedisServer server, int count, int from, int to) {
    try (Jedis j = connect(server); Pipeline p = j.pipelined()) {
      int written = 0;
      for (int n = 0; written < count; n++) {
        String key = FILLER_PREFIX + n;
        int slot = SlotHash.slot(key);
        if (slot >= from && slot <= to) {
          p.set(key, "v" + n + "-0123456789abcdef0123456789abcdef");
          written++;
          if (written % 1000 == 0) {
            p.sync();
          }
        }
      }
      p.sync();
    }
  }

  /**
   * Sets the first {@code count} consistency-checker counters ({@code <prefix>:{n}:counter}, counter
   * {@code n} in database {@code n % databases}) whose slot is in {@code slots} to a value no client
   * could have made, straight on {@code server}: stale data that must never be served. Returns how
   * many were set; a server that refuses (already a replica) takes none.
   */
  static int plantStaleCounters(RedisServer server, String prefix, java.util.Set<Integer> slots, int count,
      int databases) {
    int planted = 0;
    try (Jedis j = connect(server)) {
      for (int n = 0; n < 1000 && planted < count; n++) {
        String key = prefix + ":{" + n + "}:counter";
        if (slots.contains(SlotHash.slot(key))) {
          j.select(n % databases);
          j.set(key, "1000000000");
          planted++;
        }
      }
    } catch (RuntimeException e) {
      // READONLY: the nodes made it a replica first
    }
    return planted;
  }

  /** Filler keys of slots {@code from..to} in database 0 of {@code server}. */
  static long fillerKeys(RedisServer server, int from, int to) {
    return scan(server, 0, FILLER_PREFIX + "*", from, to);
  }

  /** Keys of slots {@code from..to} in database {@code db} of {@code server}. */
  static long keysOfSlots(RedisServer server, int from, int to, int db) {
    return scan(server, db, "*", from, to);
  }

  /** Filler keys in database 0 of {@code server}. */
  static long fillerKeys(RedisServer server) {
    return scan(server, 0, FILLER_PREFIX + "*", 0, SlotHash.SLOTS - 1);
  }

  private static Jedis connect(RedisServer server) {
    return new Jedis(new HostAndPort(server.host(), server.port()),
        DefaultJedisClientConfig.builder().timeoutMillis(30_000).autoNegotiateProtocol(false).build());
  }

  private static long scan(RedisServer server, int db, String match, int from, int to) {
    long n = 0;
    try (Jedis j = connect(server)) {
      j.select(db);
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<String> page = j.scan(cursor, new ScanParams().match(match).count(1000));
        for (String k : page.getResult()) {
          int slot = SlotHash.slot(k);
          n += slot >= from && slot <= to ? 1 : 0;
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }
    return n;
  }
}
