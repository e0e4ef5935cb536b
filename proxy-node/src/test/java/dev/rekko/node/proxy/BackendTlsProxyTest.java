package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.launcher.RedisServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Rekko in front of two groups (a master and a replica each) whose servers listen only on {@code tls-port}
 * and require client certificates ({@code rekko.backend.tls}); clients talk plain RESP to Rekko. Reads and
 * writes across groups, a slot migration through the admin API under INCR load (the data path's MIGRATE
 * and the mover between TLS-only servers: 0 lost, 0 extra), and a switchover through the admin API (the
 * coordinator's admin calls, the replica following over TLS).
 */
class BackendTlsProxyTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  // The mover moves by MIGRATE (no copy lanes), so the source servers' own TLS connections carry the keys.
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).replicas(1).backendTls()
      .set("rekko.migration.mover.copy-lanes", "0").perClass();

  @Test
  void readsAndWritesAcrossGroups() {
    String a = fx.keyInGroup("tls:a:", 1);
    String b = fx.keyInGroup("tls:b:", 2);
    Jedis client = fx.jedis();
    assertThat(client.set(a, "1")).isEqualTo("OK");
    assertThat(client.set(b, "2")).isEqualTo("OK");
    assertThat(client.mget(a, b, "tls:none")).containsExactly("1", "2", null);
    assertThat(client.del(a, b)).isEqualTo(2);
    client.mset(a, "x", b, "y");
    assertThat(fx.direct(fx.master(1)).get(a)).isEqualTo("x");
    assertThat(fx.direct(fx.master(2)).get(b)).isEqualTo("y");
  }

  @Test
  void aSlotMigrationUnderIncrLoadLosesAndDuplicatesNothing() throws Exception {
    int from = firstSlotOf(1);
    int to = from + 15;
    List<String> counters = new ArrayList<>();
    for (int i = 0; counters.size() < 40; i++) {
      int slot = SlotHash.slot(("tls:c:" + i).getBytes(StandardCharsets.UTF_8));
      if (slot >= from && slot <= to) {
        counters.add("tls:c:" + i);
      }
    }
    AtomicLongArray acked = new AtomicLongArray(counters.size());
    AtomicLongArray uncertain = new AtomicLongArray(counters.size());
    AtomicBoolean stop = new AtomicBoolean();
    List<CompletableFuture<Void>> workers = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      int first = w;
      workers.add(TestThreads.fork(() -> {
        Jedis client = fx.jedis();
        for (int n = first; !stop.get(); n++) {
          int i = n % counters.size();
          try {
            client.incr(counters.get(i));
            acked.incrementAndGet(i);
          } catch (JedisException e) {
            uncertain.incrementAndGet(i);
            client = fx.jedis();
          }
        }
      }));
    }
    await("INCRs before the migration", () -> total(acked) > 500);
    migrate(from, to, 2);
    long before = total(acked);
    await("INCRs after the migration", () -> total(acked) > before + 500);
    stop.set(true);
    for (CompletableFuture<Void> w : workers) {
      w.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    Jedis client = fx.jedis();
    for (int i = 0; i < counters.size(); i++) {
      long value = Long.parseLong(client.get(counters.get(i)));
      assertThat(value).as("%s: acknowledged %d, uncertain %d", counters.get(i), acked.get(i), uncertain.get(i))
          .isBetween(acked.get(i), acked.get(i) + uncertain.get(i));
    }
    Jedis target = fx.direct(fx.master(2));
    Jedis source = fx.direct(fx.master(1));
    for (String c : counters) {
      assertThat(target.exists(c)).as("%s on the target", c).isTrue();
      assertThat(source.exists(c)).as("%s left on the source", c).isFalse();
    }
    assertThat(source.info("commandstats")).as("keys moved by MIGRATE over TLS").contains("cmdstat_migrate:calls=");
    System.out.printf("migration under load: %d acknowledged, %d uncertain%n", total(acked), total(uncertain));
  }

  @Test
  void aSwitchoverThroughTheApi() throws Exception {
    String key = fx.keyInGroup("tls:sw:", 2);
    Jedis client = fx.jedis();
    assertThat(client.set(key, "before")).isEqualTo("OK");
    RedisServer replica = fx.server(2, 1);
    await("the replica has the key", () -> "before".equals(fx.direct(replica).get(key)));
    HttpResponse<String> r = post("/api/groups/2/promote", "{\"addr\":\"" + replica.address() + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    await("group 2's master is the replica", () -> fx.node().topology().masterOfGroup(2)
        .map(m -> m.address().toString().equals(replica.address())).orElse(false));
    assertThat(client.get(key)).isEqualTo("before");
    assertThat(client.set(key, "after")).isEqualTo("OK");
    assertThat(fx.direct(replica).get(key)).isEqualTo("after");
    RedisServer old = fx.server(2, 0);
    await("the old master follows the new one over TLS", () -> "after".equals(fx.direct(old).get(key)));
  }

  private static int firstSlotOf(int group) {
    for (int slot = 0; slot < SlotHash.SLOTS; slot++) {
      if (fx.node().context().router().loaded().route(slot).group() == group) {
        return slot;
      }
    }
    throw new AssertionError("group " + group + " has no slot");
  }

  private static void migrate(int from, int to, int group) throws Exception {
    HttpResponse<String> r = post("/api/slots/migrate",
        "{\"from\":" + from + ",\"to\":" + to + ",\"group\":" + group + "}");
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    await("slots " + from + ".." + to + " served by group " + group, () -> {
      for (int slot = from; slot <= to; slot++) {
        SlotRoute route = fx.node().context().router().loaded().route(slot);
        if (!route.direct() || route.group() != group) {
          return false;
        }
      }
      return true;
    });
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return NodeApi.post(fx.node(), path, body);
  }

  private static long total(AtomicLongArray a) {
    long sum = 0;
    for (int i = 0; i < a.length(); i++) {
      sum += a.get(i);
    }
    return sum;
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    assertThat(ProxyFixture.await(WAIT, condition)).as(what).isTrue();
  }
}
