package dev.rekko.node.proxy;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.launcher.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code proto-max-bulk-len} and {@code client-query-buffer-limit}, differentially: a redis-server
 * 7.0.15 and a node configured alike (query buffer 1mb, bulks up to 2mb) get the same bytes and must
 * answer and close alike — a bulk over the length limit is Redis's protocol error, a query buffer over
 * its limit closes without a reply (and, on the node, one WARN line).
 */
class QueryLimitsTest {
  private static final int MIB = 1024 * 1024;
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(1)
      .set("rekko.proxy.client-query-buffer-limit", "1mb").set("rekko.proxy.proto-max-bulk-len", "2mb").perClass();
  private static RedisServer redis;

  @BeforeAll
  static void start() throws Exception {
    redis = fx.track(RedisServer.builder().config("client-query-buffer-limit 1mb").config("proto-max-bulk-len 2mb")
        .start());
  }

  @Test
  void aBulkOverTheLengthLimitIsAProtocolError() throws Exception {
    byte[] header = ("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (2 * MIB + 1) + "\r\n").getBytes(ISO_8859_1);
    for (RespSocket s : new RespSocket[] {fx.socket(redis), fx.socket()}) {
      s.write(header);
      assertThat(s.read()).isEqualTo(new RespSocket.Err("ERR Protocol error: invalid bulk length"));
      assertThat(s.closedByServer()).isTrue();
    }
  }

  @Test
  void aBulkUnderTheLimitsIsStored() throws Exception {
    String value = "q".repeat(MIB - 100);
    assertThat(fx.socket(redis).call("SET", "ql:k", value)).isEqualTo("OK");
    RespSocket s = fx.socket();
    assertThat(s.call("SET", "ql:k", value)).isEqualTo("OK");
    assertThat(s.call("STRLEN", "ql:k")).isEqualTo((long) value.length());
  }

  @Test
  void aQueryBufferOverItsLimitClosesWithoutAReply() throws Exception {
    try (LogCapture logs = new LogCapture(ClientCore.class)) {
      byte[] start = ("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (2 * MIB) + "\r\n").getBytes(ISO_8859_1);
      byte[] part = "p".repeat(MIB + 64 * 1024).getBytes(ISO_8859_1);
      for (RespSocket s : new RespSocket[] {fx.socket(redis), fx.socket()}) {
        s.write(start);
        try {
          s.write(part);
        } catch (java.io.IOException e) {
          // closed while we were still writing: the same outcome
        }
        long[] read = new long[1];
        assertThat(s.drainUntilClosed(read)).as("closed").isTrue();
        assertThat(read[0]).as("no reply").isZero();
      }
      assertThat(ProxyFixture.await(Duration.ofSeconds(5), () -> !logs.warnings("query buffer").isEmpty())).isTrue();
      assertThat(logs.warnings("query buffer")).singleElement().asString()
          .contains("over the 1048576 of rekko.proxy.client-query-buffer-limit");
      assertThat(ClientFloodTest.info(fx.socket(), "stats")).containsEntry("client_query_buffer_limit_disconnections", "1");
    }
  }
}
