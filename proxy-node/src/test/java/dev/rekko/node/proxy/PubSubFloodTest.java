package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.RekkoNode;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that stops reading while messages flood in is closed by the client output limit, like any
 * client that owes too many reply bytes; a subscriber that reads gets every message, and the node gives
 * back all it held. Subscribers are spared the idle timeout, as in Redis.
 */
class PubSubFloodTest {
  private static final int MESSAGE = 64 * 1024;
  private static final int BATCH = 8;

  @Test
  void aSubscriberThatDoesNotReadIsClosedByTheOutputLimit() throws Exception {
    try (ProxyFixture fx = ProxyFixture.builder().groups(1)
        .set("rekko.proxy.client-output-buffer-limit", "2mb 0 0").start();
        LogCapture logs = new LogCapture(ClientCore.class)) {
      RekkoNode node = fx.node();
      RespSocket slow = fx.track(new RespSocket(node.respPort(), ProxyFixture.TIMEOUT_MILLIS, 16 * 1024));
      assertThat(slow.call("CLIENT", "SETNAME", "slow")).isEqualTo("OK");
      assertThat(slow.call("SUBSCRIBE", "flood")).isEqualTo(List.of("subscribe", "flood", 1L));
      RespSocket reader = fx.socket();
      assertThat(reader.call("SUBSCRIBE", "flood")).isEqualTo(List.of("subscribe", "flood", 1L));
      AtomicInteger got = new AtomicInteger();
      CompletableFuture<Integer> received = TestThreads.supply(() -> {
        while (true) {
          List<?> m = (List<?>) reader.read();
          got.incrementAndGet();
          if ("done".equals(m.get(2))) {
            return got.get();
          }
        }
      });

      RespSocket pub = fx.socket();
      String payload = "f".repeat(MESSAGE);
      int published = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (logs.warnings("closed: it owes").isEmpty() && System.nanoTime() < deadline) {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < BATCH; i++) {
          RespSocket.appendCommand(batch, "PUBLISH", "flood", payload);
        }
        pub.write(batch.toByteArray());
        for (int i = 0; i < BATCH; i++) {
          assertThat(pub.read()).isEqualTo(1L);
        }
        published += BATCH;
        // The reader keeps up (it owes far less than the limit); only the slow one falls behind.
        int expected = published;
        assertThat(ProxyFixture.await(Duration.ofSeconds(30), () -> got.get() >= expected)).isTrue();
      }
      assertThat(logs.warnings("closed: it owes")).singleElement().asString().contains("name=slow")
          .contains("over the hard limit of 2097152 bytes");
      assertThat(slow.drainUntilClosed(new long[1])).as("closed by the node").isTrue();

      assertThat(pub.call("PUBLISH", "flood", "done")).isEqualTo(1L);
      assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(published + 1);
      assertThat(pub.call("PUBSUB", "NUMSUB", "flood")).isEqualTo(List.of("flood", 1L));
      assertThat(ProxyFixture.await(Duration.ofSeconds(10), () -> node.context().memory.used() == 0))
          .as("nothing left charged: %s", node.context().memory.used()).isTrue();
    }
  }

  @Test
  void subscribersAreNotClosedForIdleness() throws Exception {
    try (ProxyFixture fx = ProxyFixture.builder().groups(1).set("rekko.proxy.idle-timeout", "1s").start()) {
      RespSocket sub = fx.socket();
      assertThat(sub.call("SUBSCRIBE", "quiet")).isEqualTo(List.of("subscribe", "quiet", 1L));
      RespSocket idle = fx.socket();
      assertThat(idle.call("PING")).isEqualTo("PONG");
      // The plain client, silent for less time than the subscriber, is closed: the timeout has passed.
      assertThat(idle.closedByServer()).as("idle connection closed by the node").isTrue();
      assertThat(fx.socket().call("PUBLISH", "quiet", "still here")).isEqualTo(1L);
      assertThat(sub.read()).isEqualTo(List.of("message", "quiet", "still here"));
    }
  }
}
