package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.launcher.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/** Long pipelines of mixed commands over both groups keep their order and their values. */
class PipelineTest {
  private static ProxyFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = ProxyFixture.builder().groups(2).start();
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void jedisPipelineOfMixedCommandsKeepsOrderAndValues() {
    Workload w = new Workload("jp:", 1);
    List<Workload.Op> ops = w.generate(5_000);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> runJedisPipeline(fx.jedis(), ops));
    assertSpreadOverGroupsAndSlots(w.keysUsed());
    assertStringsLandedOnTheirOwners(w.strings());
  }

  @Test
  void rawPipelineOfTwentyThousandCommandsInOneWrite() {
    Workload w = new Workload("rp:", 2);
    List<Workload.Op> ops = w.generate(20_000);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> runRawPipeline(fx.socket(), ops));
    assertSpreadOverGroupsAndSlots(w.keysUsed());
    assertStringsLandedOnTheirOwners(w.strings());
  }

  @Test
  void twoClientsPipeliningAtOnceEachGetTheirOwnReplies() {
    Workload a = new Workload("ca:", 3);
    Workload b = new Workload("cb:", 4);
    List<Workload.Op> opsA = a.generate(10_000);
    List<Workload.Op> opsB = b.generate(10_000);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      RespSocket sa = fx.socket();
      RespSocket sb = fx.socket();
      CompletableFuture<Void> fa = ProxyFixture.fork(() -> runRawPipeline(sa, opsA));
      CompletableFuture<Void> fb = ProxyFixture.fork(() -> runRawPipeline(sb, opsB));
      CompletableFuture.allOf(fa, fb).get();
    });
  }

  @Test
  void smallMaxPipelineStopsReadingInsteadOfFailing() throws Exception {
    // With only 16 commands allowed in flight the node must pause reading this client, not refuse it.
    RekkoNode narrow = fx.startNode(Map.of("rekko.proxy.max-pipeline", "16"));
    Workload w = new Workload("bp:", 5);
    List<Workload.Op> raw = w.generate(10_000);
    List<Workload.Op> jedis = w.generate(2_000);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      runRawPipeline(fx.socket(narrow), raw);
      runJedisPipeline(fx.jedis(narrow), jedis);
    });
    assertStringsLandedOnTheirOwners(w.strings());
  }

  static void runJedisPipeline(Jedis jedis, List<Workload.Op> ops) {
    Pipeline p = jedis.pipelined();
    List<Response<?>> responses = new ArrayList<>(ops.size());
    for (Workload.Op op : ops) {
      responses.add(queue(p, op));
    }
    p.sync();
    for (int i = 0; i < ops.size(); i++) {
      Workload.check(ops.get(i), i, responses.get(i).get());
    }
  }

  /** Writes the whole pipeline in one write from another thread while this one reads every reply. */
  static void runRawPipeline(RespSocket socket, List<Workload.Op> ops) throws Exception {
    byte[] bytes = Workload.encode(ops);
    CompletableFuture<Void> writer = ProxyFixture.fork(() -> socket.write(bytes));
    for (int i = 0; i < ops.size(); i++) {
      Workload.check(ops.get(i), i, socket.read());
    }
    writer.get();
  }

  private static Response<?> queue(Pipeline p, Workload.Op op) {
    String[] a = op.args();
    return switch (op.name()) {
      case "SET" -> p.set(a[1], a[2]);
      case "GET" -> p.get(a[1]);
      case "INCR" -> p.incr(a[1]);
      case "LPUSH" -> p.lpush(a[1], a[2]);
      case "LRANGE" -> p.lrange(a[1], 0, -1);
      case "HSET" -> p.hset(a[1], a[2], a[3]);
      case "HGET" -> p.hget(a[1], a[2]);
      case "DEL" -> p.del(a[1]);
      case "MGET" -> p.mget(Arrays.copyOfRange(a, 1, a.length));
      case "MSET" -> p.mset(Arrays.copyOfRange(a, 1, a.length));
      case "EXPIRE" -> p.expire(a[1], Long.parseLong(a[2]));
      case "TTL" -> p.ttl(a[1]);
      default -> throw new IllegalArgumentException("not in the workload: " + op.name());
    };
  }

  /** The workload is only meaningful if it really crossed both groups and many slots. */
  private static void assertSpreadOverGroupsAndSlots(Set<String> keys) {
    assertThat(keys.stream().map(fx::groupOf).collect(Collectors.toSet())).containsExactlyInAnyOrder(1, 2);
    assertThat(keys.stream().map(SlotHash::slot).distinct().count()).isGreaterThan(200);
  }

  /** Each string the workload left behind is on the master owning its slot, and only there. */
  private static void assertStringsLandedOnTheirOwners(Map<String, String> strings) {
    Map<Integer, List<String>> byGroup = new HashMap<>();
    strings.keySet().forEach(k -> byGroup.computeIfAbsent(fx.groupOf(k), g -> new ArrayList<>()).add(k));
    assertThat(byGroup).containsOnlyKeys(1, 2);
    for (Map.Entry<Integer, List<String>> e : byGroup.entrySet()) {
      RedisServer owner = fx.master(e.getKey());
      RedisServer other = fx.master(3 - e.getKey());
      String[] keys = e.getValue().toArray(String[]::new);
      List<String> expected = e.getValue().stream().map(strings::get).toList();
      assertThat(fx.direct(owner).mget(keys)).as("values on %s", owner).isEqualTo(expected);
      assertThat(fx.direct(other).exists(keys)).as("keys wrongly on %s", other).isZero();
    }
  }
}
