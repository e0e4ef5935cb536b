package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendConnection;
import dev.rekko.redis.backend.BackendOptions;
import dev.rekko.redis.backend.BackendPool;
import dev.rekko.redis.backend.BackendTimings;
import dev.rekko.redis.backend.ReplyHandler;
import dev.rekko.redis.launcher.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A session's backend affinity ({@link ClientIo#affinity}) names a connection that runs on the session's
 * own client I/O thread, for any session id and however many connections a server has: the replies of a
 * session's commands are read where its client is served. Against a real server.
 */
class ClientIoAffinityTest {
  private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);

  @Test
  void everySessionGetsConnectionsReadOnItsOwnThread() throws Exception {
    ClientMemory memory = new ClientMemory(0, List.of());
    List<ClientIo> loops = ClientIo.startAll(3, Duration.ofSeconds(1).toNanos(), memory);
    // Five a server, rounded up to six: two on each of the three threads.
    BackendOptions five = new BackendOptions("", "", 5, Duration.ofSeconds(2), Duration.ofSeconds(30),
        Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofSeconds(60));
    BackendPool pool = new BackendPool(five, 0, s -> BackendTimings.NONE);
    try (RedisServer server = RedisServer.builder().start()) {
      pool.runOn(loops);
      BackendAddress address = new BackendAddress(server.host(), server.port());
      long[] ids = {1, 2, 3, 4, 5, 6, 7, 1L << 20, (1L << 31) + 5, Long.MAX_VALUE};
      for (int k = 0; k < loops.size(); k++) {
        for (long id : ids) {
          BackendConnection c = pool.connection(address, 0, 2, loops.get(k).affinity(id));
          assertThat(replyThread(c)).as("session %d on thread %d", id, k).isEqualTo("rekko-client-io-" + k);
        }
      }
    } finally {
      pool.close();
      loops.forEach(ClientIo::close);
    }
  }

  private static String replyThread(BackendConnection c) throws Exception {
    CompletableFuture<String> thread = new CompletableFuture<>();
    c.send(PING, 0, PING.length, new ReplyHandler() {
      @Override
      public void onReply(Reply r) {
        thread.complete(Thread.currentThread().getName());
      }

      @Override
      public void onFailure(String error) {
        thread.completeExceptionally(new AssertionError(error));
      }
    });
    c.flush();
    return thread.get(10, TimeUnit.SECONDS);
  }
}
