package dev.rekko.node.stats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NodeStatsTest {

  @Test
  void recordingFromManyThreadsGivesExactCounts() throws Exception {
    try (NodeStats stats = NodeStats.unsampled()) {
      int threads = 8;
      int perThread = 50_000;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          go.await();
          CommandStats get = stats.command("GET");
          for (int i = 0; i < perThread; i++) {
            // Looked up per call on purpose: concurrent first use must not lose counts.
            stats.command("SET").record(2_000, i % 10 == 0);
            get.record(1_000, false);
          }
          stats.sessionOpened();
          stats.sessionClosed();
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();

      StatsSnapshot s = stats.snapshot();
      long n = (long) threads * perThread;
      assertThat(s.ops().total()).isEqualTo(2 * n);
      assertThat(s.ops().fails()).isEqualTo(n / 10);
      assertThat(stats.totalOps()).isEqualTo(2 * n);
      assertThat(stats.totalFails()).isEqualTo(n / 10);
      assertThat(s.commands()).extracting(StatsSnapshot.CommandSnapshot::name).containsExactly("GET", "SET");
      StatsSnapshot.CommandSnapshot get = s.commands().get(0);
      StatsSnapshot.CommandSnapshot set = s.commands().get(1);
      assertThat(get.calls()).isEqualTo(n);
      assertThat(get.fails()).isZero();
      assertThat(get.usecs()).isEqualTo(n);
      assertThat(get.usecPerCall()).isEqualTo(1);
      assertThat(set.calls()).isEqualTo(n);
      assertThat(set.fails()).isEqualTo(n / 10);
      assertThat(set.usecPerCall()).isEqualTo(2);
      assertThat(s.sessions().total()).isEqualTo(threads);
      assertThat(s.sessions().alive()).isZero();
    }
  }

  @Test
  void percentilesAreSane() {
    try (NodeStats stats = NodeStats.unsampled()) {
      CommandStats get = stats.command("GET");
      // 1..1000 µs, each once: p50 ≈ 500 µs, p99 ≈ 990 µs, max ≈ 1000 µs (2 significant digits).
      for (int us = 1; us <= 1000; us++) {
        get.record(us * 1_000L, false);
      }
      StatsSnapshot.CommandSnapshot c = stats.snapshot().commands().get(0);
      assertThat(c.p50Usec()).isBetween(490L, 510L);
      assertThat(c.p99Usec()).isBetween(980L, 1000L);
      assertThat(c.p999Usec()).isBetween(990L, 1010L);
      assertThat(c.maxUsec()).isBetween(995L, 1010L);
      assertThat(c.p50Usec()).isLessThanOrEqualTo(c.p99Usec());
      assertThat(c.p99Usec()).isLessThanOrEqualTo(c.p999Usec());
      assertThat(c.p999Usec()).isLessThanOrEqualTo(c.maxUsec());
      assertThat(c.usecPerCall()).isEqualTo(500);
    }
  }

  @Test
  void extremeLatenciesAreClampedNotFatal() {
    try (NodeStats stats = NodeStats.unsampled()) {
      stats.command("BLPOP").record(TimeUnit.HOURS.toNanos(2), false);
      stats.command("PING").record(-5, false);
      StatsSnapshot s = stats.snapshot();
      assertThat(s.commands().get(0).maxUsec()).isBetween(59_000_000L, 61_000_000L);
      assertThat(s.commands().get(1).maxUsec()).isZero();
    }
  }

  @Test
  void percentilesCoverTheLastOneToTwoMinutes() {
    try (NodeStats stats = NodeStats.unsampled()) {
      long t0 = System.nanoTime();
      stats.command("GET").record(5_000_000, false);
      stats.tick(t0 + NodeStats.WINDOW_NANOS); // window rotates: the 5 ms call is now "previous"
      stats.command("GET").record(100_000, false);
      assertThat(stats.snapshot().commands().get(0).maxUsec()).isBetween(4_900L, 5_100L);
      stats.tick(t0 + 2 * NodeStats.WINDOW_NANOS); // and now it has left the window
      StatsSnapshot.CommandSnapshot c = stats.snapshot().commands().get(0);
      assertThat(c.maxUsec()).isBetween(99L, 101L);
      assertThat(c.calls()).isEqualTo(2); // counts stay cumulative
    }
  }

  @Test
  void eachTickAddsAHistorySampleWithThatSecondsP99() {
    try (NodeStats stats = NodeStats.unsampled()) {
      long t0 = System.nanoTime();
      stats.tick(t0);
      CommandStats get = stats.command("GET");
      CommandStats set = stats.command("SET");
      for (int i = 0; i < 99; i++) {
        get.record(100_000, false);
      }
      set.record(50_000_000, false);
      set.record(50_000_000, false);
      stats.sessionOpened();
      stats.tick(t0 + TimeUnit.SECONDS.toNanos(1));
      // A snapshot in between drains the recorders too: the next second's p99 must still see its values.
      get.record(7_000_000, false);
      stats.snapshot();
      stats.tick(t0 + TimeUnit.SECONDS.toNanos(2));
      stats.tick(t0 + TimeUnit.SECONDS.toNanos(3));

      List<History.Sample> samples = stats.history().samples();
      // The first tick's sample covers nothing yet.
      assertThat(samples).hasSize(4);
      assertThat(samples.get(1).ops()).isEqualTo(101);
      assertThat(samples.get(1).p99Usec()).as("all commands of that second").isBetween(49_000L, 51_000L);
      assertThat(samples.get(1).sessions()).isEqualTo(1);
      assertThat(samples.get(2).p99Usec()).isBetween(6_900L, 7_100L);
      assertThat(samples.get(3).ops()).isZero();
      assertThat(samples.get(3).p99Usec()).isZero();
    }
  }

  @Test
  void historyKeepsTheLast300SecondsOldestFirst() {
    History h = new History();
    for (int i = 0; i < 310; i++) {
      h.add(i, i, 0, 0);
    }
    List<History.Sample> samples = h.samples();
    assertThat(samples).hasSize(History.CAPACITY);
    assertThat(samples.get(0).t()).isEqualTo(10);
    assertThat(samples.get(299).t()).isEqualTo(309);
  }

  @Test
  void errorRepliesAreClassifiedByTheirFirstWord() {
    assertThat(kind("-WRONGTYPE Operation against a key\r\n")).isEqualTo("WRONGTYPE");
    assertThat(kind("-ERR unknown command\r\n")).isEqualTo("ERR");
    assertThat(kind("-ERR backend 127.0.0.1:6379 is down: connect timed out\r\n")).isEqualTo("backend");
    assertThat(kind("-MOVED 3999 127.0.0.1:6381\r\n")).isEqualTo("MOVED");
    assertThat(kind("-NOSCRIPT No matching script\r\n")).isEqualTo("NOSCRIPT");
    assertThat(kind("-BUSYKEY Target key name already exists.\r\n")).isEqualTo("BUSYKEY");
    assertThat(kind("-BUS y\r\n")).isEqualTo("other");
    assertThat(kind("-MYOWNERROR x\r\n")).isEqualTo("other");
    assertThat(kind("!21\r\nSYNTAX invalid syntax\r\n")).isEqualTo("other");
    assertThat(kind("!12\r\nOOM no room\r\n")).isEqualTo("OOM");
    assertThat(kind("")).isEqualTo("other");
  }

  private static String kind(String reply) {
    byte[] b = ("xx" + reply).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return ErrorKinds.KINDS[ErrorKinds.classify(b, 2, b.length - 2)];
  }

  @Test
  void qpsIsTheRateOverTheLastTick() {
    try (NodeStats stats = NodeStats.unsampled()) {
      long t0 = System.nanoTime();
      stats.tick(t0);
      CommandStats get = stats.command("GET");
      for (int i = 0; i < 300; i++) {
        get.record(1_000, false);
      }
      stats.tick(t0 + TimeUnit.MILLISECONDS.toNanos(500));
      assertThat(stats.qps()).isEqualTo(600);
      stats.tick(t0 + TimeUnit.MILLISECONDS.toNanos(1500));
      assertThat(stats.snapshot().ops().qps()).isZero();
    }
  }

  @Test
  void theSamplerThreadComputesQps() throws Exception {
    try (NodeStats stats = NodeStats.create()) {
      CommandStats get = stats.command("GET");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (stats.qps() == 0 && System.nanoTime() < deadline) {
        for (int i = 0; i < 1000; i++) {
          get.record(1_000, false);
        }
        Thread.sleep(10);
      }
      assertThat(stats.qps()).isPositive();
    }
  }

  @Test
  void snapshotJsonHasTheFields() throws Exception {
    try (NodeStats stats = NodeStats.unsampled()) {
      stats.setOnline(true);
      stats.command("GET").record(120_000, false);
      stats.command("GET").record(80_000, true);
      stats.sessionOpened();
      stats.sessionOpened();
      stats.sessionClosed();
      stats.registerBackends(() -> List.of(
          new BackendStatus("127.0.0.1:6379", 0, true, 3, ""),
          new BackendStatus("127.0.0.1:6380", 2, false, 0, "connection refused")));

      JsonNode json = new ObjectMapper().valueToTree(stats.snapshot());
      assertThat(json.get("online").asBoolean()).isTrue();
      assertThat(json.at("/ops/total").asLong()).isEqualTo(2);
      assertThat(json.at("/ops/fails").asLong()).isEqualTo(1);
      assertThat(json.at("/ops").has("qps")).isTrue();
      assertThat(json.at("/sessions/total").asLong()).isEqualTo(2);
      assertThat(json.at("/sessions/alive").asLong()).isEqualTo(1);
      JsonNode get = json.at("/commands/0");
      assertThat(get.get("name").asText()).isEqualTo("GET");
      assertThat(get.get("calls").asLong()).isEqualTo(2);
      assertThat(get.get("fails").asLong()).isEqualTo(1);
      assertThat(get.get("usecPerCall").asLong()).isEqualTo(100);
      for (String field : List.of("usecs", "p50Usec", "p99Usec", "p999Usec", "maxUsec")) {
        assertThat(get.has(field)).as(field).isTrue();
      }
      assertThat(json.at("/backends/1/server").asText()).isEqualTo("127.0.0.1:6380");
      assertThat(json.at("/backends/1/database").asInt()).isEqualTo(2);
      assertThat(json.at("/backends/1/up").asBoolean()).isFalse();
      assertThat(json.at("/backends/0/inFlight").asLong()).isEqualTo(3);
      assertThat(json.at("/backends/1/lastError").asText()).isEqualTo("connection refused");
      JsonNode runtime = json.get("runtime");
      assertThat(runtime.get("heapUsed").asLong()).isPositive();
      assertThat(runtime.get("threads").asInt()).isPositive();
      for (String field : List.of("heapMax", "nonHeapUsed", "cpus", "uptimeSec", "gcCount", "gcTimeMs", "gc")) {
        assertThat(runtime.has(field)).as(field).isTrue();
      }
    }
  }

  @Test
  void aFailingBackendSupplierDoesNotBreakTheSnapshot() {
    try (NodeStats stats = NodeStats.unsampled()) {
      stats.registerBackends(() -> {
        throw new IllegalStateException("pool closed");
      });
      assertThat(stats.snapshot().backends()).isEmpty();
    }
  }
}
