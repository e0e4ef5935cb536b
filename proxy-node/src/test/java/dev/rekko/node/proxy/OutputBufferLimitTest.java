package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.RekkoNode;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code client-output-buffer-limit}: a client owing more reply bytes than the hard limit, or more
 * than the soft limit for longer than its seconds, is closed, with one WARN line naming it and the
 * bytes; a client that reads in time is not. Real Redis, raw sockets with small receive buffers (so
 * replies back up in the node rather than in the kernel, which still takes up to ~4 MB).
 */
class OutputBufferLimitTest {
  private static final int MIB = 1024 * 1024;
  // No pause, so that only the limits act: hard 16 MiB; soft 4 MiB for at most 1 s.
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(1).set("rekko.proxy.client-output-pause", "0")
      .set("rekko.proxy.client-output-buffer-limit", "16mb 4mb 1").perClass();
  private static RekkoNode node;

  @BeforeAll
  static void start() throws Exception {
    node = fx.node();
    RespSocket s = fx.socket();
    assertThat(s.call("SET", "obl:32m", "h".repeat(32 * MIB))).isEqualTo("OK");
    assertThat(s.call("SET", "obl:12m", "s".repeat(12 * MIB))).isEqualTo("OK");
  }

  private static RespSocket slowReader() throws Exception {
    return fx.track(new RespSocket(node.respPort(), ProxyFixture.TIMEOUT_MILLIS, 16 * 1024));
  }

  @Test
  void overTheHardLimitTheClientIsClosedAtOnce() throws Exception {
    try (LogCapture logs = new LogCapture(ClientCore.class)) {
      RespSocket bystander = fx.socket(node);
      RespSocket greedy = slowReader();
      assertThat(greedy.call("CLIENT", "SETNAME", "greedy")).isEqualTo("OK");
      greedy.send("GET", "obl:32m");

      assertThat(ProxyFixture.await(Duration.ofSeconds(20), () -> !logs.warnings("closed: it owes").isEmpty()))
          .as("a WARN line for the greedy client").isTrue();
      assertThat(logs.warnings("closed: it owes")).singleElement().asString()
          .contains("name=greedy").contains("over the hard limit of 16777216 bytes")
          .contains("rekko.proxy.client-output-buffer-limit");
      long[] read = new long[1];
      assertThat(greedy.drainUntilClosed(read)).as("closed by the node").isTrue();
      assertThat(read[0]).isLessThan(32L * MIB);
      assertThat(bystander.call("PING")).isEqualTo("PONG");
      assertThat(Long.parseLong(ClientFloodTest.info(bystander, "stats").get("client_output_buffer_limit_disconnections")))
          .isPositive();
      assertThat(ProxyFixture.await(Duration.ofSeconds(10), () -> node.context().memory.used() == 0))
          .as("nothing left charged: %s", node.context().memory.used()).isTrue();
    }
  }

  @Test
  void overTheSoftLimitForTooLongTheClientIsClosed() throws Exception {
    try (LogCapture logs = new LogCapture(ClientCore.class)) {
      RespSocket slow = slowReader();
      slow.send("GET", "obl:12m");
      assertThat(ProxyFixture.await(Duration.ofSeconds(20), () -> !logs.warnings("soft limit").isEmpty())).isTrue();
      assertThat(logs.warnings("soft limit")).singleElement().asString()
          .contains("over the soft limit of 4194304 bytes for more than 1 s");
      assertThat(slow.drainUntilClosed(new long[1])).isTrue();
    }
  }

  @Test
  void aClientThatReadsInTimeStaysOverTheSoftLimitBriefly() throws Exception {
    try (LogCapture logs = new LogCapture(ClientCore.class)) {
      RespSocket reader = slowReader();
      for (int round = 0; round < 3; round++) {
        // 12 MiB: over the soft limit, under the hard one, read at once.
        assertThat(reader.call("GET", "obl:12m")).asString().hasSize(12 * MIB);
      }
      assertThat(reader.call("PING")).isEqualTo("PONG");
      assertThat(logs.warnings("closed")).isEmpty();
    }
  }
}
