package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.launcher.RedisServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A transaction loop and a SCAN iteration (and, for the switchover, a blocked BLPOP) running while their
 * group's master changes: through the admin API (a lossless switchover: hold, drain, pause, switch) for
 * group 1, and by SIGKILL of group 2's master (the HA's failover to a replica). Durable writes are on
 * (two replicas per group), so an acknowledged transaction is on a replica before its EXEC answers:
 * every acknowledged transaction is applied exactly once and none half-applied, the SCAN that spans the
 * switch returns every key, and the blocked client gets the value pushed after the switch exactly once.
 */
class MasterSwitchCompatTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).replicas(2).set("rekko.ha.durable-writes", "on")
      .set("rekko.ha.durable-timeout", "2s").perClass();

  @BeforeAll
  static void start() throws Exception {
    try (Jedis client = fx.jedis()) {
      // With durable writes a write answers NOREPLICAS until a replica of its group has synced.
      assertThat(ProxyFixture.await(WAIT, () -> {
        try {
          for (int g = 1; g <= 2; g++) {
            client.set(tagOf(g) + "ready", "1");
          }
          return true;
        } catch (redis.clients.jedis.exceptions.JedisDataException e) {
          return false;
        }
      })).as("the replicas synced").isTrue();
      for (int i = 0; i < 200; i++) {
        client.set("scan:" + i, "v");
      }
    }
  }

  @Test
  void aSwitchoverThroughTheApi() throws Exception {
    RedisServer replica = fx.server(1, 1);
    String list = tagOf(1) + "list";
    CompletableFuture<List<String>> popped = TestThreads.supply(() -> {
      try (Jedis blocked = fx.jedis()) {
        return blocked.blpop(0, list);
      }
    });
    acrossTheSwitch(1, () -> promote(1, replica.address()), replica);
    try (Jedis client = fx.jedis()) {
      client.rpush(list, "after-switch");
      assertThat(popped.get(WAIT.toSeconds(), TimeUnit.SECONDS)).containsExactly(list, "after-switch");
      assertThat(client.llen(list)).isZero();
    }
  }

  @Test
  void aFailoverAfterTheMasterIsKilled() throws Exception {
    RedisServer master = fx.server(2, 0);
    // The HA picks the replica with the highest offset; with durable writes both have every write.
    acrossTheSwitch(2, master::kill, null);
  }

  private interface Fault {
    void inject() throws Exception;
  }

  /** Transactions and a SCAN on {@code group} before, during and after {@code fault}. */
  private static void acrossTheSwitch(int group, Fault fault, RedisServer expectedMaster) throws Exception {
    String tag = tagOf(group);
    String a = tag + "a";
    String b = tag + "b";
    String before = fx.node().topology().masterOfGroup(group).orElseThrow().address().toString();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong uncertain = new AtomicLong();
    CompletableFuture<Void> transactions = TestThreads.fork(() -> {
      try (Jedis tx = fx.jedis()) {
        while (!stop.get()) {
          try {
            Transaction t = tx.multi();
            t.incr(a);
            t.incr(b);
            List<Object> result = t.exec();
            if (result != null) {
              assertThat(result.get(0)).as("a transaction is never half-applied").isEqualTo(result.get(1));
              acknowledged.incrementAndGet();
            }
          } catch (redis.clients.jedis.exceptions.JedisDataException e) {
            // An error reply (the master down, a hold that timed out): the EXEC may or may not have run.
            uncertain.incrementAndGet();
          }
        }
      }
    });
    Set<String> seen = new HashSet<>();
    try (Jedis scanner = fx.jedis()) {
      ScanParams params = new ScanParams().match("scan:*").count(10);
      ScanResult<String> page = scanner.scan(ScanParams.SCAN_POINTER_START, params);
      seen.addAll(page.getResult());
      String cursor = page.getCursor();

      await("transactions run before the switch", () -> acknowledged.get() > 50);
      fault.inject();
      await("group " + group + "'s master changed", () -> fx.node().topology().masterOfGroup(group)
          .map(m -> !m.address().toString().equals(before)
              && (expectedMaster == null || m.address().toString().equals(expectedMaster.address())))
          .orElse(false));
      long after = acknowledged.get();
      await("transactions run after the switch", () -> acknowledged.get() > after + 50);

      while (!cursor.equals(ScanParams.SCAN_POINTER_START)) {
        page = scanner.scan(cursor, params);
        seen.addAll(page.getResult());
        cursor = page.getCursor();
      }
      for (int i = 0; i < 200; i++) {
        assertThat(seen).contains("scan:" + i);
      }
      stop.set(true);
      transactions.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      long valueA = Long.parseLong(scanner.get(a));
      assertThat(scanner.get(b)).isEqualTo(Long.toString(valueA));
      // 0 lost, 0 extra: every acknowledged transaction applied once; an uncertain one at most once.
      assertThat(valueA).isBetween(acknowledged.get(), acknowledged.get() + uncertain.get());
    }
  }

  /** A hash tag whose slot group {@code group} owns. */
  private static String tagOf(int group) {
    return fx.tagInGroup("sw", group);
  }

  private static void promote(int group, String addr) throws Exception {
    HttpResponse<String> r = NodeApi.post(fx.node(), "/api/groups/" + group + "/promote",
        "{\"addr\":\"" + addr + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    assertThat(ProxyFixture.await(WAIT, condition)).as(what).isTrue();
  }
}
