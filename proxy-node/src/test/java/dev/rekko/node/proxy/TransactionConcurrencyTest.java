package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many clients' transactions through one node, pipelined, on the shared backend connections: no other
 * session's command may come between a block's MULTI and EXEC, so every EXEC sees both counters equal,
 * and the final counts are exact. Some clients WATCH too (their dedicated connections share nothing).
 */
class TransactionConcurrencyTest {
  private static final int CLIENTS = 20;
  private static final int TRANSACTIONS = 500;
  private static final int PIPELINE = 10;
  // One shared connection per server: every session's blocks go on the same one.
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder()
      .groups(2).set("rekko.backend.connections-per-server", "1").perClass();

  @Test
  void concurrentPipelinedTransactionsAreNeverInterleaved() throws Exception {
    try (RespSocket s = fx.socket()) {
      s.call("DEL", "{t}a", "{t}b");
    }
    List<CompletableFuture<Void>> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      clients.add(TestThreads.fork(() -> {
        try (RespSocket s = fx.socket()) {
          for (int done = 0; done < TRANSACTIONS; done += PIPELINE) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            for (int i = 0; i < PIPELINE; i++) {
              RespSocket.appendCommand(buf, "MULTI");
              RespSocket.appendCommand(buf, "INCR", "{t}a");
              RespSocket.appendCommand(buf, "INCR", "{t}b");
              RespSocket.appendCommand(buf, "EXEC");
            }
            s.write(buf.toByteArray());
            for (int i = 0; i < PIPELINE; i++) {
              assertThat(s.read()).isEqualTo("OK");
              assertThat(s.read()).isEqualTo("QUEUED");
              assertThat(s.read()).isEqualTo("QUEUED");
              List<?> exec = (List<?>) s.read();
              assertThat(exec).hasSize(2);
              assertThat(exec.get(0)).isEqualTo(exec.get(1));
            }
          }
        }
      }));
    }
    // Watching clients beside them: check-and-set on another pair, counted when EXEC was not nil.
    AtomicLong watchedDone = new AtomicLong();
    List<CompletableFuture<Void>> watchers = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      watchers.add(TestThreads.fork(() -> {
        try (RespSocket s = fx.socket()) {
          for (int i = 0; i < 100; i++) {
            assertThat(s.call("WATCH", "{w}a")).isEqualTo("OK");
            Object value = s.call("GET", "{w}a");
            long next = (value == null ? 0 : Long.parseLong((String) value)) + 1;
            assertThat(s.call("MULTI")).isEqualTo("OK");
            assertThat(s.call("SET", "{w}a", Long.toString(next))).isEqualTo("QUEUED");
            assertThat(s.call("INCR", "{w}b")).isEqualTo("QUEUED");
            Object exec = s.call("EXEC");
            if (exec != null) {
              assertThat((List<?>) exec).hasSize(2);
              watchedDone.incrementAndGet();
            }
          }
        }
      }));
    }
    CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    CompletableFuture.allOf(watchers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    try (RespSocket s = fx.socket()) {
      String total = Long.toString((long) CLIENTS * TRANSACTIONS);
      assertThat(s.call("MGET", "{t}a", "{t}b")).isEqualTo(List.of(total, total));
      String watched = Long.toString(watchedDone.get());
      assertThat(watchedDone.get()).isPositive();
      // Each successful check-and-set added exactly one to both: no lost update.
      assertThat(s.call("MGET", "{w}a", "{w}b")).isEqualTo(List.of(watched, watched));
    }
  }
}
