package dev.rekko.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rekko.node.consistency.ConsistencyChecker;
import dev.rekko.node.consistency.Report;
import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.launcher.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Online migration through the API on three nodes while the consistency checker writes through all of
 * them: 512 slots move from group 1 to group 2 and back, with keys in several databases, TTLs and a big
 * value; nothing acknowledged is lost, nothing extra appears, every client reads its own writes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationTest {
  private static ClusterFixture fx;
  private static RedisServer g1;
  private static RedisServer g2;

  @BeforeAll
  static void start() throws Exception {
    fx = ClusterFixture.create(3, "", Map.of()).startAll();
    g1 = fx.redis();
    g2 = fx.redis();
    ApiClient a = fx.api(0);
    a.post("/api/groups", "{\"id\":1}").ok();
    a.post("/api/groups", "{\"id\":2}").ok();
    a.post("/api/groups/1/servers", "{\"addr\":\"" + g1.address() + "\"}").ok();
    a.post("/api/groups/2/servers", "{\"addr\":\"" + g2.address() + "\"}").ok();
    a.post("/api/slots/assign", "{\"from\":0,\"to\":1023,\"group\":1}").ok();
    fx.awaitAllSlotsAt(1);
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  @Order(1)
  void slotsMoveThereAndBackUnderLoadWithoutLosingAWrite() throws Exception {
    String ttlKey = keyInSlotRange("ttl", 0, 511);
    String bigKey = keyInSlotRange("big", 0, 511);
    byte[] big = new byte[50 * 1024 * 1024];
    Arrays.fill(big, (byte) 'x');
    try (Jedis j = new Jedis("127.0.0.1", fx.respPort(1), 60_000)) {
      j.setex(ttlKey, 1000, "t");
      j.set(bigKey.getBytes(StandardCharsets.UTF_8), big);
    }
    List<HostAndPort> endpoints = List.of(0, 1, 2).stream().map(i -> new HostAndPort("127.0.0.1", fx.respPort(i)))
        .toList();
    try (ConsistencyChecker checker = ConsistencyChecker.builder().endpoints(endpoints).clients(6)
        .counters(500).registers(100).databases(3).build().start()) {
      checker.awaitAcked(500, ClusterFixture.WAIT);

      long started = System.nanoTime();
      migrate(0, 511, 2);
      System.out.println("migrated 512 slots 1 -> 2 in " + (System.nanoTime() - started) / 1_000_000 + " ms");
      System.out.println("movers after it (the 50 MiB value included): "
          + fx.api(0).get("/api/migrations").ok().get("movers"));
      Report during = checker.verifyNow();
      assertThat(during.lost()).as("%s", during).isZero();
      assertThat(during.extra()).as("%s", during).isZero();

      started = System.nanoTime();
      migrate(0, 511, 1);
      System.out.println("migrated 512 slots 2 -> 1 in " + (System.nanoTime() - started) / 1_000_000 + " ms");
      migrate(0, 511, 2);

      Report r = checker.stopAndVerify();
      System.out.println("consistency: " + r);
      assertThat(r.lost()).as("%s", r).isZero();
      assertThat(r.extra()).as("%s", r).isZero();
      assertThat(r.readYourWritesViolations()).as("%s", r).isZero();
      assertThat(r.acked()).isPositive();
    }
    assertThat(keysOfSlots(g1, 0, 511, 0)).as("keys of the moved slots left on group 1").isZero();
    assertThat(keysOfSlots(g1, 0, 511, 1)).isZero();
    try (Jedis j = new Jedis("127.0.0.1", g2.port(), 60_000)) {
      assertThat(j.ttl(ttlKey)).isBetween(900L, 1000L);
      assertThat(j.strlen(bigKey)).isEqualTo(big.length);
    }
    try (Jedis j = new Jedis("127.0.0.1", fx.respPort(2), 60_000)) {
      assertThat(j.ttl(ttlKey)).isBetween(900L, 1000L);
    }
  }

  @Test
  @Order(2)
  void invalidMigrationsAreRefused() throws Exception {
    ApiClient a = fx.api(1);
    assertThat(a.post("/api/slots/migrate", "{\"from\":0,\"to\":10,\"group\":9}").status()).isEqualTo(404);
    assertThat(a.post("/api/slots/migrate", "{\"from\":10,\"to\":0,\"group\":1}").status()).isEqualTo(400);
    assertThat(a.delete("/api/groups/2").status()).as("a group that owns slots").isEqualTo(409);
    JsonNode view = a.get("/api/migrations").ok();
    assertThat(view.get("active").asInt()).isZero();
    assertThat(view.get("pending").asInt()).isZero();
  }

  @Test
  @Order(3)
  void aRebalanceOntoANewGroupSpreadsTheSlotsEvenly() throws Exception {
    RedisServer g3 = fx.redis();
    ApiClient a = fx.api(2);
    a.post("/api/groups", "{\"id\":3}").ok();
    a.post("/api/groups/3/servers", "{\"addr\":\"" + g3.address() + "\"}").ok();
    JsonNode moved = a.post("/api/rebalance?confirm=true", "").ok();
    assertThat(moved.get("slots").size()).isEqualTo(341);
    awaitNoMigration();
    Map<Integer, Integer> counts = new java.util.TreeMap<>();
    for (var slot : fx.node(2).topology().slots()) {
      counts.merge(slot.group(), 1, Integer::sum);
    }
    assertThat(counts.keySet()).containsExactly(1, 2, 3);
    assertThat(counts.values().stream().mapToInt(Integer::intValue).max().getAsInt()
        - counts.values().stream().mapToInt(Integer::intValue).min().getAsInt()).isLessThanOrEqualTo(1);
  }

  @Test
  @Order(4)
  void aMigrationGoesOnWhenTheCoordinatorsNodeLeavesAndKeepsItsPauseAndThrottle() throws Exception {
    List<HostAndPort> endpoints = List.of(1, 2).stream().map(i -> new HostAndPort("127.0.0.1", fx.respPort(i)))
        .toList();
    try (ConsistencyChecker checker = ConsistencyChecker.builder().endpoints(endpoints).clients(4)
        .counters(300).registers(50).keyPrefix("cc2").build().start()) {
      checker.awaitAcked(300, ClusterFixture.WAIT);
      // Slow movers (the ~300 keys of these slots take ~15 s), so that the node leaves in the middle of
      // it and the awaits below see it running even when the machine is slow to answer the POSTs.
      fx.api(1).post("/api/migrations/throttle", "{\"maxKeysPerSecond\":20}").ok();
      fx.api(1).post("/api/slots/migrate", "{\"count\":300,\"fromGroup\":1,\"group\":2}").ok();
      ClusterFixture.await("some slot migrating", () -> fx.node(1).topology().slots().stream()
          .anyMatch(s -> s.state() == dev.rekko.topology.SlotState.MIGRATING));
      ClusterFixture.await("keys moved, per slot, in /api/migrations", () -> {
        try {
          for (JsonNode mover : fx.api(1).get("/api/migrations").ok().get("movers")) {
            for (JsonNode keys : mover.get("slotKeysMoved")) {
              if (keys.asLong() > 0) {
                return true;
              }
            }
          }
          return false;
        } catch (Exception e) {
          return false;
        }
      });
      // Paused, later slots stay pending; they must stay so under the next coordinator too.
      fx.api(1).post("/api/migrations/pause", "").ok();
      fx.api(1).post("/api/slots/migrate", "{\"count\":20,\"fromGroup\":1,\"group\":2}").ok();
      fx.stop(0);

      // The coordinator that takes over knows of the pause and the throttle, and keeps them.
      ClusterFixture.await("the new coordinator reports the pause and the throttle", () -> {
        try {
          JsonNode view = fx.api(1).get("/api/migrations").ok();
          return view.get("paused").asBoolean() && view.get("maxKeysPerSecond").asLong() == 20;
        } catch (Exception e) {
          return false;
        }
      });
      long pending = fx.node(1).topology().slots().stream()
          .filter(s -> s.state() == dev.rekko.topology.SlotState.PENDING).count();
      assertThat(pending).as("slots the pause holds back").isPositive();
      Thread.sleep(1000);
      assertThat(fx.node(1).topology().slots().stream()
          .filter(s -> s.state() == dev.rekko.topology.SlotState.PENDING).count())
          .as("no pending slot starts while paused, across the failover").isEqualTo(pending);

      fx.api(1).post("/api/migrations/throttle", "{\"maxKeysPerSecond\":0}").ok();
      fx.api(1).post("/api/migrations/resume", "").ok();
      awaitNoMigration();
      Report r = checker.stopAndVerify();
      System.out.println("consistency across the coordinator's node leaving: " + r);
      assertThat(r.lost()).as("%s", r).isZero();
      assertThat(r.extra()).as("%s", r).isZero();
      assertThat(r.readYourWritesViolations()).as("%s", r).isZero();
    }
  }

  /** Waits until no slot is pending or migrating on any running node (retrying the API across a failover). */
  private static void awaitNoMigration() throws InterruptedException {
    ClusterFixture.await("no migration left", () -> fx.running().stream().allMatch(i ->
        fx.node(i).topology().slots().stream().allMatch(s ->
            s.state() == dev.rekko.topology.SlotState.ONLINE || s.state() == dev.rekko.topology.SlotState.OFFLINE)));
  }

  /** Migrates through the API and waits until every node routes the range to the group. */
  private static void migrate(int from, int to, int group) throws Exception {
    fx.api(0).post("/api/slots/migrate", "{\"from\":" + from + ",\"to\":" + to + ",\"group\":" + group + "}").ok();
    ClusterFixture.await("slots " + from + "-" + to + " online at group " + group, () -> {
      for (int i : fx.running()) {
        for (int s = from; s <= to; s++) {
          var slot = fx.node(i).topology().slot(s);
          if (slot.group() != group || slot.state() != dev.rekko.topology.SlotState.ONLINE) {
            return false;
          }
        }
      }
      return true;
    });
  }

  private static String keyInSlotRange(String prefix, int from, int to) {
    for (int i = 0; ; i++) {
      String k = prefix + i;
      int slot = SlotHash.slot(k.getBytes(StandardCharsets.UTF_8));
      if (slot >= from && slot <= to) {
        return k;
      }
    }
  }

  private static long keysOfSlots(RedisServer server, int from, int to, int db) {
    long n = 0;
    try (Jedis j = new Jedis("127.0.0.1", server.port(), 60_000)) {
      j.select(db);
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<String> page = j.scan(cursor, new ScanParams().count(1000));
        for (String k : page.getResult()) {
          int slot = SlotHash.slot(k.getBytes(StandardCharsets.UTF_8));
          n += slot >= from && slot <= to ? 1 : 0;
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }
    return n;
  }
}
