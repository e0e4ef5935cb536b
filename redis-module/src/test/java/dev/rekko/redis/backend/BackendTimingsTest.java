package dev.rekko.redis.backend;

import static dev.rekko.redis.backend.BackendCalls.queue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.launcher.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A pool with {@link BackendTimings} reports one time per reply on its shared connections, per server, from
 * the write to the reply; dedicated connections are not measured. Against a real server.
 */
class BackendTimingsTest {
  @Test
  void everyReplyOnASharedConnectionIsTimedAndADelayedOneTakesAtLeastItsDelay() throws Exception {
    try (RedisServer server = RedisServer.builder().start()) {
      BackendAddress address = new BackendAddress(server.host(), server.port());
      ConcurrentHashMap<BackendAddress, ConcurrentLinkedQueue<Long>> times = new ConcurrentHashMap<>();
      BackendPool pool = new BackendPool(new BackendOptions("", "", 1, Duration.ofSeconds(2), Duration.ofSeconds(30),
          Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofSeconds(60)), 1,
          s -> times.computeIfAbsent(s, k -> new ConcurrentLinkedQueue<>())::add);
      try {
        BackendConnection c = pool.connection(address, 0, 0);
        // More than the send-time ring's first size, in one write, so that it grows with commands in flight.
        List<CompletableFuture<String>> replies = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
          replies.add(queue(c, "ECHO", Integer.toString(i)));
        }
        c.flush();
        for (CompletableFuture<String> r : replies) {
          assertThat(r.get(15, TimeUnit.SECONDS)).doesNotStartWith("failed");
        }
        CompletableFuture<String> slow = queue(c, "BLPOP", "timings:none", "0.05");
        c.flush();
        assertThat(slow.get(15, TimeUnit.SECONDS)).isEqualTo("*-1");

        BackendConnection dedicated = pool.dedicated(address, 0, 2);
        CompletableFuture<String> unmeasured = queue(dedicated, "PING");
        dedicated.flush();
        assertThat(unmeasured.get(15, TimeUnit.SECONDS)).isEqualTo("+PONG");

        List<Long> measured = new ArrayList<>(times.get(address));
        // The handshake's replies are measured too: AUTH-less, so SELECT-less, but CLIENT INFO at least.
        assertThat(measured.size()).isBetween(301 + 1, 301 + 4);
        assertThat(measured).allMatch(n -> n >= 0);
        assertThat(measured.get(measured.size() - 1)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(times).containsOnlyKeys(address);
      } finally {
        pool.close();
      }
    }
  }

  @Test
  void sendTimesKeepTheirOrderAcrossGrowthAndWrapAround() {
    SendTimes t = new SendTimes();
    long next = 0;
    long expected = 0;
    for (int round = 0; round < 5; round++) {
      t.added(50);
      t.stamp(next += 1);
      t.added(100);
      assertThat(t.anyUnstamped()).isTrue();
      t.stamp(next += 1);
      assertThat(t.anyUnstamped()).isFalse();
      for (int i = 0; i < 150; i++) {
        long want = i < 50 ? next - 1 : next;
        assertThat(t.poll()).isEqualTo(want);
      }
      expected++;
    }
    t.added(1);
    assertThat(t.poll()).as("never written").isEqualTo(SendTimes.NOT_SENT);
    assertThat(expected).isEqualTo(5);
  }
}
