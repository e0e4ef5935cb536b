package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that shuts its side of the connection down after its last command (a half-close, as
 * {@code redis-cli < file} or {@code nc -q} do) still gets every reply it is owed, then the node closes;
 * a client blocked in a blocking command that leaves is dropped at once, as Redis drops it. Both client
 * transports must behave so ({@link HalfCloseStreamsTest}).
 */
class HalfCloseTest {
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).perClass();

  @Test
  void repliesOwedStillLeaveAfterTheClientsEndOfStream() throws Exception {
    RespSocket c = fx.socket();
    ByteArrayOutputStream batch = new ByteArrayOutputStream();
    RespSocket.appendCommand(batch, "SET", "hc:{a}", "1");
    RespSocket.appendCommand(batch, "SET", "hc:{b}", "x".repeat(200_000));
    RespSocket.appendCommand(batch, "MGET", "hc:{a}", "hc:{b}", "hc:{none}");
    RespSocket.appendCommand(batch, "PING");
    c.write(batch.toByteArray());
    c.shutdownOutput();
    assertThat(c.read()).isEqualTo("OK");
    assertThat(c.read()).isEqualTo("OK");
    assertThat(c.read()).isEqualTo(java.util.Arrays.asList("1", "x".repeat(200_000), null));
    assertThat(c.read()).isEqualTo("PONG");
    assertThat(c.closedByServer()).as("closed once its replies are out").isTrue();
    assertThat(ProxyFixture.await(Duration.ofSeconds(10), () -> fx.node().context().memory.used() == 0))
        .as("nothing left charged").isTrue();
  }

  @Test
  void aBlockedClientThatLeavesIsDroppedAtOnce() throws Exception {
    RespSocket c = fx.socket();
    assertThat(c.call("CLIENT", "SETNAME", "hc-blocked")).isEqualTo("OK");
    c.send("BLPOP", "hc:empty", "0");
    RespSocket watcher = fx.socket();
    assertThat(ProxyFixture.await(Duration.ofSeconds(10),
        () -> String.valueOf(call(watcher, "CLIENT", "LIST")).contains("name=hc-blocked"))).isTrue();
    c.shutdownOutput();
    assertThat(c.closedByServer()).as("dropped without an answer").isTrue();
    assertThat(ProxyFixture.await(Duration.ofSeconds(10),
        () -> !String.valueOf(call(watcher, "CLIENT", "LIST")).contains("name=hc-blocked"))).isTrue();
    // The list gets no phantom consumer: a push stays there.
    assertThat(watcher.call("RPUSH", "hc:empty", "v")).isEqualTo(1L);
    assertThat(watcher.call("LRANGE", "hc:empty", "0", "-1")).isEqualTo(List.of("v"));
  }

  private static Object call(RespSocket s, String... args) {
    try {
      return s.call(args);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
