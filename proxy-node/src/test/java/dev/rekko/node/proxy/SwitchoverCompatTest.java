package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.launcher.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A transaction loop, a blocked BLPOP and a SCAN iteration running while their group's master is switched
 * to its replica through the admin API (a lossless switchover: the HA procedure's hold, drain, pause and
 * switch): every acknowledged transaction applied exactly once and none half-applied, the blocked client
 * gets the value pushed after the switch exactly once, and the SCAN that spans the switch returns every
 * key.
 */
class SwitchoverCompatTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static ProxyFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = ProxyFixture.builder().groups(2).replicas(1).start();
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void transactionsBlockedPopAndScanSurviveASwitchover() throws Exception {
    String tag = "{sw0}";
    for (int i = 1; fx.groupOf(tag) != 1; i++) {
      tag = "{sw" + i + "}";
    }
    String a = tag + "a";
    String b = tag + "b";
    String list = tag + "list";
    Set<String> keys = new HashSet<>();
    try (Jedis client = fx.jedis()) {
      for (int i = 0; i < 200; i++) {
        keys.add("scan:" + i);
        client.set("scan:" + i, "v");
      }
    }

    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong uncertain = new AtomicLong();
    CompletableFuture<Void> transactions = ProxyFixture.fork(() -> {
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
            // An error reply (a hold that timed out): the EXEC may or may not have run.
            uncertain.incrementAndGet();
          }
        }
      }
    });
    CompletableFuture<List<String>> popped = ProxyFixture.supply(() -> {
      try (Jedis blocked = fx.jedis()) {
        return blocked.blpop(0, list);
      }
    });

    Set<String> seen = new HashSet<>();
    try (Jedis scanner = fx.jedis()) {
      ScanParams params = new ScanParams().match("scan:*").count(10);
      ScanResult<String> page = scanner.scan(ScanParams.SCAN_POINTER_START, params);
      seen.addAll(page.getResult());
      String cursor = page.getCursor();

      RedisServer replica = fx.server(1, 1);
      await("transactions run before the switch", () -> acknowledged.get() > 50);
      promote(1, replica.address());
      await("group 1's master is the replica", () -> fx.node().topology().masterOfGroup(1)
          .map(m -> m.address().toString().equals(replica.address())).orElse(false));
      long before = acknowledged.get();
      await("transactions run after the switch", () -> acknowledged.get() > before + 50);

      while (!cursor.equals(ScanParams.SCAN_POINTER_START)) {
        page = scanner.scan(cursor, params);
        seen.addAll(page.getResult());
        cursor = page.getCursor();
      }
      assertThat(seen).containsAll(keys);

      stop.set(true);
      transactions.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      scanner.rpush(list, "after-switch");
      assertThat(popped.get(WAIT.toSeconds(), TimeUnit.SECONDS)).containsExactly(list, "after-switch");
      assertThat(scanner.llen(list)).isZero();
      long valueA = Long.parseLong(scanner.get(a));
      assertThat(scanner.get(b)).isEqualTo(Long.toString(valueA));
      // 0 lost, 0 extra: every acknowledged transaction applied once; an uncertain one at most once.
      assertThat(valueA).isBetween(acknowledged.get(), acknowledged.get() + uncertain.get());
    }
  }

  private static void promote(int group, String addr) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + fx.node().httpPort() + "/api/groups/" + group + "/promote"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"addr\":\"" + addr + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    assertThat(ProxyFixture.await(WAIT, condition)).as(what).isTrue();
  }
}
