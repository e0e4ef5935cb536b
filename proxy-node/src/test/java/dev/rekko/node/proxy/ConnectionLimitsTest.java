package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.rekko.node.RekkoNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Thousands of clients at once, and {@code max-clients} turning away the one too many. */
class ConnectionLimitsTest {
  private static final int CONNECTIONS = 2_000;
  private static final int THREADS = 8;
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).perClass();

  @Test
  void twoThousandConcurrentConnectionsEachPingSetAndGet() {
    RekkoNode node = fx.node();
    assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
      List<RespSocket> sockets = new ArrayList<>(CONNECTIONS);
      try {
        for (int i = 0; i < CONNECTIONS; i++) {
          sockets.add(new RespSocket(node.respPort(), ProxyFixture.TIMEOUT_MILLIS));
        }
        // All of them are open at the same time before any of them sends a command.
        assertThat(ProxyFixture.await(Duration.ofSeconds(30), () -> node.context().clients() == CONNECTIONS))
            .as("sessions open: %d", node.context().clients()).isTrue();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int first = t;
          workers.add(TestThreads.fork(() -> {
            for (int i = first; i < CONNECTIONS; i += THREADS) {
              sockets.get(i).write(concat(
                  RespSocket.encode("PING"),
                  RespSocket.encode("SET", "conn:" + i, "value-" + i),
                  RespSocket.encode("GET", "conn:" + i)));
            }
            for (int i = first; i < CONNECTIONS; i += THREADS) {
              RespSocket s = sockets.get(i);
              assertThat(s.read()).as("PING on connection %d", i).isEqualTo("PONG");
              assertThat(s.read()).as("SET on connection %d", i).isEqualTo("OK");
              assertThat(s.read()).as("GET on connection %d", i).isEqualTo("value-" + i);
            }
          }));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get();
        assertThat(node.stats().snapshot().sessions().alive()).isEqualTo(CONNECTIONS);
      } finally {
        for (RespSocket s : sockets) {
          s.close();
        }
      }
      assertThat(ProxyFixture.await(Duration.ofSeconds(30), () -> node.context().clients() == 0))
          .as("sessions left: %d", node.context().clients()).isTrue();
      assertThat(fx.direct(fx.masterOf("conn:1999")).get("conn:1999")).isEqualTo("value-1999");
    });
  }

  @Test
  void connectionBeyondMaxClientsIsToldAndClosed() throws Exception {
    RekkoNode node = fx.startNode(Map.of("rekko.proxy.max-clients", "5"));
    List<RespSocket> admitted = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      RespSocket s = fx.socket(node);
      assertThat(s.call("PING")).isEqualTo("PONG");
      admitted.add(s);
    }
    RespSocket sixth = fx.socket(node);
    assertThat(sixth.read()).isEqualTo(new RespSocket.Err("ERR max number of clients reached"));
    sixth.setTimeout(5_000);
    assertThat(sixth.closedByServer()).isTrue();
    // The five are unaffected, and the refusal did not use up a place.
    for (RespSocket s : admitted) {
      assertThat(s.call("PING")).isEqualTo("PONG");
    }
    assertThat(node.context().clients()).isEqualTo(5);
    // When one leaves, a newcomer gets its place.
    admitted.remove(0).close();
    assertThat(ProxyFixture.await(Duration.ofSeconds(10), () -> node.context().clients() == 4)).isTrue();
    RespSocket newcomer = fx.socket(node);
    assertThat(newcomer.call("SET", "limits:k", "v")).isEqualTo("OK");
    assertThat(newcomer.call("GET", "limits:k")).isEqualTo("v");
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int pos = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, pos, p.length);
      pos += p.length;
    }
    return out;
  }
}
