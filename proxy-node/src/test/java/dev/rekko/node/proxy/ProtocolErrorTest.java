package dev.rekko.node.proxy;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed input on a raw socket: the node answers what Redis answers (asked the same on a real
 * server), after the replies it already owed, and closes that connection; other connections and the
 * data stay as they were.
 */
class ProtocolErrorTest {
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).perClass();

  /** Each case: what the client sends, and the CRLF-terminated form Redis needs to answer at once. */
  record Malformed(String name, String sent, String toRedis) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Malformed> cases() {
    return List.of(
        new Malformed("not a bulk where one is expected", "*1\r\nx", "*1\r\nx\r\n"),
        new Malformed("multibulk count not a number", "*abc\r\n", "*abc\r\n"),
        new Malformed("negative bulk length", "*1\r\n$-5\r\n", "*1\r\n$-5\r\n"),
        new Malformed("bulk length not a number", "*2\r\n$3\r\nGET\r\n$x1\r\n", "*2\r\n$3\r\nGET\r\n$x1\r\n"),
        new Malformed("unbalanced quotes inline", "SET k \"abc\r\n", "SET k \"abc\r\n"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void malformedInputGetsRedisErrorThenTheConnectionCloses(Malformed m) throws Exception {
    String key = "proto:" + m.name().replace(' ', '-');
    RespSocket bystander = fx.socket();
    assertThat(bystander.call("SET", key + ":other", "kept")).isEqualTo("OK");

    RespSocket redis = fx.socket(fx.master(1));
    Object expected = redis.call("PING");
    assertThat(expected).isEqualTo("PONG");
    redis.writeRaw(m.toRedis());
    Object redisError = redis.read();
    assertThat(redisError).isInstanceOf(RespSocket.Err.class);
    assertThat(((RespSocket.Err) redisError).message()).startsWith("ERR Protocol error: ");

    RespSocket s = fx.socket();
    // The good commands before the bad bytes, in the same write, are served first.
    s.write((new String(RespSocket.encode("SET", key, "v"), ISO_8859_1) + "PING\r\n" + m.sent()).getBytes(ISO_8859_1));
    assertThat(s.read()).isEqualTo("OK");
    assertThat(s.read()).isEqualTo("PONG");
    assertThat(s.read()).isEqualTo(redisError);
    s.setTimeout(5_000);
    assertThat(s.closedByServer()).as("connection closed after the protocol error").isTrue();

    assertThat(bystander.call("GET", key + ":other")).isEqualTo("kept");
    assertThat(bystander.call("GET", key)).isEqualTo("v");
    assertThat(fx.socket().call("MGET", key, key + ":other")).isEqualTo(List.of("v", "kept"));
  }
}
