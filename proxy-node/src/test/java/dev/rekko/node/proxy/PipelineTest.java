package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.rekko.node.RekkoNode;
import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.launcher.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.BuilderFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;

/** Long pipelines of mixed commands over both groups keep their order and their values. */
class PipelineTest {
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).perClass();

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
      CompletableFuture<Void> fa = TestThreads.fork(() -> runRawPipeline(sa, opsA));
      CompletableFuture<Void> fb = TestThreads.fork(() -> runRawPipeline(sb, opsB));
      CompletableFuture.allOf(fa, fb).get();
    });
  }

  @Test
  void smallMaxPipelineStopsReadingInsteadOfFailing() throws Exception {
    // With only 16 commands allowed in flight the node must pause reading this client, not refuse it.
    RekkoNode narrow = fx.startNode(Map.of("rekko.proxy.max-pipeline", "16"));
    assertThat(narrow.context().proxy.maxPipeline()).isEqualTo(16);
    Workload w = new Workload("bp:", 5);
    List<Workload.Op> raw = w.generate(10_000);
    List<Workload.Op> jedis = w.generate(2_000);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      runRawPipeline(fx.socket(narrow), raw);
      runJedisPipeline(fx.jedis(narrow), jedis);
    });
    assertStringsLandedOnTheirOwners(w.strings());
  }

  @Test
  void commandsArrivingInTinyFragmentsAreReassembled() {
    // Frames cut anywhere (inside a length, between CR and LF, inside a bulk) must decode and be
    // forwarded whole; values of a few hundred bytes make sure bulks span many reads.
    Workload w = new Workload("frag:", 6);
    List<Workload.Op> ops = new ArrayList<>(w.generate(300));
    String big = "b".repeat(700) + "\r\n" + "c".repeat(300);
    ops.add(new Workload.Op(new String[] {"SET", "frag:big", big}, "OK"));
    ops.add(new Workload.Op(new String[] {"GET", "frag:big"}, big));
    byte[] bytes = Workload.encode(ops);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      RespSocket s = fx.socket();
      CompletableFuture<Void> writer = TestThreads.fork(() -> {
        Random random = new Random(11);
        for (int pos = 0; pos < bytes.length; ) {
          int n = Math.min(bytes.length - pos, 1 + random.nextInt(7));
          s.write(Arrays.copyOfRange(bytes, pos, pos + n));
          pos += n;
        }
      });
      for (int i = 0; i < ops.size(); i++) {
        Workload.check(ops.get(i), i, s.read());
      }
      writer.get();
    });
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
    CompletableFuture<Void> writer = TestThreads.fork(() -> socket.write(bytes));
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
      // Pipeline has no echo(); the same command object Jedis.echo uses.
      case "ECHO" -> p.appendCommand(new CommandObject<>(
          new CommandArguments(Protocol.Command.ECHO).add(a[1]), BuilderFactory.STRING));
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
