package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Backpressure per client, with the node's own counters looked at in-process: a client that owes more
 * than {@code client-output-pause} is not read from until its replies are written, then it is; a client
 * that never reads has only its dispatch window of commands in flight, the rest waiting unread; and
 * commands held beyond the window go on once there is room.
 */
class ClientBackpressureTest {
  private static final int MIB = 1024 * 1024;
  // The default pause (1mb); no budget, so that only the per-client rules act.
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(1).set("rekko.proxy.max-memory", "0").perClass();

  @BeforeAll
  static void start() throws Exception {
    assertThat(fx.socket().call("SET", "bp:1m", "v".repeat(MIB))).isEqualTo("OK");
  }

  private static Session session(String name) {
    return fx.node().context().sessions.stream().filter(s -> name.equals(s.client().name())).findFirst().orElseThrow();
  }

  private static byte[] repeat(int n, String... command) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      RespSocket.appendCommand(out, command);
    }
    return out.toByteArray();
  }

  @Test
  void aClientOwingMoreThanThePauseIsNotReadUntilItsRepliesAreWritten() throws Exception {
    RespSocket c = fx.track(new RespSocket(fx.node().respPort(), ProxyFixture.TIMEOUT_MILLIS, 16 * 1024));
    assertThat(c.call("CLIENT", "SETNAME", "paused")).isEqualTo("OK");
    // Widen its dispatch window first, as a client that reads does.
    for (int i = 0; i < 40; i++) {
      assertThat(c.call("PING")).isEqualTo("PONG");
    }
    Session s = session("paused");
    long before = s.commands();
    c.write(repeat(20, "GET", "bp:1m"));
    assertThat(ProxyFixture.await(Duration.ofSeconds(20), () -> s.held().owed() > 8 * MIB))
        .as("the replies pile up: %s bytes owed", s.held().owed()).isTrue();
    assertThat(s.commands() - before).isEqualTo(20);

    // More commands now are not read while it owes that much.
    c.write(repeat(50, "PING"));
    Thread.sleep(1_000);
    assertThat(s.commands() - before).as("nothing read while it owes %s bytes", s.held().owed()).isEqualTo(20);
    assertThat(s.held().queryBytes()).isZero();

    // It reads: the node reads again, and every reply comes in order.
    for (int i = 0; i < 20; i++) {
      assertThat(c.read()).asString().hasSize(MIB);
    }
    for (int i = 0; i < 50; i++) {
      assertThat(c.read()).isEqualTo("PONG");
    }
    assertThat(s.commands() - before).isEqualTo(70);
    assertThat(s.held().owed()).isZero();
  }

  @Test
  void aPipelineLongerThanTheWindowOfCommandsAnsweredAtOnceIsAnsweredWhole() throws Exception {
    // PINGs are answered by the node itself: no backend reply comes to wake the connection, so the
    // commands held beyond the window must go on as soon as the earlier replies are written.
    RespSocket c = fx.socket();
    c.write(repeat(500, "PING"));
    for (int i = 0; i < 500; i++) {
      assertThat(c.read()).isEqualTo("PONG");
    }
    assertThat(c.call("ECHO", "done")).isEqualTo("done");
  }

  @Test
  void aClientThatNeverReadsHasOnlyItsWindowInFlight() throws Exception {
    RespSocket c = fx.track(new RespSocket(fx.node().respPort(), ProxyFixture.TIMEOUT_MILLIS, 16 * 1024));
    assertThat(c.call("CLIENT", "SETNAME", "greedy")).isEqualTo("OK");
    Session s = session("greedy");
    long before = s.commands();
    c.write(repeat(300, "GET", "bp:1m"));
    assertThat(ProxyFixture.await(Duration.ofSeconds(20), () -> s.held().owed() > 4 * MIB)).isTrue();
    Thread.sleep(1_000);
    long sent = s.commands() - before;
    // The window (16, widened by the few replies the kernel took) and nothing more.
    assertThat(sent).as("commands sent to Redis").isBetween(16L, 40L);
    assertThat(s.held().queryBytes()).as("the rest waits in its query buffer").isPositive();
    assertThat(s.held().owed()).isLessThanOrEqualTo(sent * (MIB + 16));

    // Reading, it gets all 300, in order.
    for (int i = 0; i < 300; i++) {
      assertThat(c.read()).asString().hasSize(MIB);
    }
    assertThat(s.commands() - before).isEqualTo(300);
  }
}
