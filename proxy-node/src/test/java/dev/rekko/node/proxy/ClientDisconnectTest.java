package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.rekko.node.RekkoNode;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sessions end without leaking: clients that vanish in the middle of a long pipeline, and clients the
 * node closes for being idle.
 */
class ClientDisconnectTest {
  private static final int PIPELINE = 50_000;
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).perClass();

  private static byte[] pipeline(int round) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(PIPELINE * 40);
    for (int i = 0; i < PIPELINE; i++) {
      String key = "gone:" + round + ":" + (i % 1000);
      switch (i % 4) {
        case 0 -> RespSocket.appendCommand(buf, "SET", key, "v" + i);
        case 1 -> RespSocket.appendCommand(buf, "GET", key);
        case 2 -> RespSocket.appendCommand(buf, "INCR", key + ":n");
        default -> RespSocket.appendCommand(buf, "MGET", key, key + ":n", "gone:x");
      }
    }
    return buf.toByteArray();
  }

  @Test
  void clientsClosingMidPipelineLeakNothing() {
    RekkoNode node = fx.node();
    assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
      for (int round = 0; round < 6; round++) {
        byte[] bytes = pipeline(round);
        RespSocket s = new RespSocket(node.respPort(), ProxyFixture.TIMEOUT_MILLIS);
        // The write may block once the node stops reading this client (no replies are read here).
        CompletableFuture<Void> writer = TestThreads.fork(() -> s.write(bytes));
        try {
          writer.get(round * 40L, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          // still writing: close under it, which is the point
        } catch (ExecutionException e) {
          throw new AssertionError("the node refused a pipeline it should have read", e.getCause());
        }
        // Alternate a reset (unread data discarded, like a crashed client) and an orderly close.
        if (round % 2 == 0) {
          s.abort();
        } else {
          s.close();
        }
        writer.handle((v, e) -> null).get(10, TimeUnit.SECONDS);
      }
      assertThat(ProxyFixture.await(Duration.ofSeconds(30), () -> node.context().clients() == 0))
          .as("sessions left: %d", node.context().clients()).isTrue();
      assertThat(ProxyFixture.await(Duration.ofSeconds(30),
          () -> node.context().pool().status().stream().allMatch(st -> st.inFlight() == 0)))
          .as("backend commands in flight: %s", node.context().pool().status()).isTrue();
      assertThat(ProxyFixture.await(Duration.ofSeconds(10), () -> node.stats().snapshot().sessions().alive() == 0))
          .isTrue();

      // The node still serves, pipelines included.
      RespSocket s = fx.socket();
      assertThat(s.call("PING")).isEqualTo("PONG");
      Workload w = new Workload("after-gone:", 9);
      PipelineTest.runRawPipeline(s, w.generate(5_000));
      assertThat(node.context().pool().status()).allMatch(st -> st.up());
    });
  }

  @Test
  void idleConnectionIsClosedByTheNode() throws Exception {
    RekkoNode idleNode = fx.startNode(Map.of("rekko.proxy.idle-timeout", "1s"));
    RespSocket idle = fx.socket(idleNode);
    RespSocket busy = fx.socket(idleNode);
    assertThat(idle.call("PING")).isEqualTo("PONG");
    // A client that keeps talking stays connected well past the timeout ...
    long until = System.nanoTime() + Duration.ofMillis(2_500).toNanos();
    while (System.nanoTime() < until) {
      assertThat(busy.call("SET", "idle:busy", "x")).isEqualTo("OK");
      Thread.sleep(200);
    }
    // ... the silent one has been closed meanwhile.
    idle.setTimeout(10_000);
    assertThat(idle.closedByServer()).as("idle connection closed by the node").isTrue();
    assertThat(busy.call("GET", "idle:busy")).isEqualTo("x");
    assertThat(ProxyFixture.await(Duration.ofSeconds(10), () -> idleNode.context().clients() == 1)).isTrue();
    busy.setTimeout(10_000);
    assertThat(busy.closedByServer()).as("and the other one once it falls silent").isTrue();
    assertThat(ProxyFixture.await(Duration.ofSeconds(10), () -> idleNode.context().clients() == 0)).isTrue();
  }

  @Test
  void aClientThatStoppedReadingIsIdleToo() throws Exception {
    // As Redis's timeout counts it: no input, and a write that the socket has not taken a byte of.
    RekkoNode idleNode = fx.startNode(Map.of("rekko.proxy.idle-timeout", "1s"));
    assertThat(fx.socket(idleNode).call("SET", "idle:big", "b".repeat(8 * 1024 * 1024))).isEqualTo("OK");
    RespSocket stuck = fx.track(new RespSocket(idleNode.respPort(), ProxyFixture.TIMEOUT_MILLIS, 16 * 1024));
    stuck.send("GET", "idle:big");
    assertThat(ProxyFixture.await(Duration.ofSeconds(20), () -> idleNode.context().clients() == 0))
        .as("closed with replies owed").isTrue();
    assertThat(idleNode.context().memory.used()).isZero();
  }

  @Test
  void stoppingTheNodeClosesItsClientsAndFreesThePort() throws Exception {
    RekkoNode node = fx.startNode(Map.of());
    int port = node.respPort();
    RespSocket client = fx.socket(node);
    assertThat(client.call("PING")).isEqualTo("PONG");
    node.close();
    // The RESP listener is not Pekko's: its threads must close the connections themselves ...
    client.setTimeout(10_000);
    assertThat(client.closedByServer()).as("client connection closed when the node stopped").isTrue();
    // ... and let go of the port, so a node restarted in the same process can bind it again.
    try (java.nio.channels.ServerSocketChannel again = java.nio.channels.ServerSocketChannel.open()) {
      again.bind(new java.net.InetSocketAddress("127.0.0.1", port));
    }
  }
}
