package dev.rekko.redis.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.redis.launcher.RedisServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A pool given loops with {@link BackendPool#runOn} (as the node gives it its client I/O threads) spreads a
 * server's connections over them, reads a caller's replies on the loop its affinity names, and leaves the
 * loops running when it closes. Against a real server.
 */
class BackendPoolLoopsTest {
  private static final BackendOptions THREE_PER_SERVER = new BackendOptions("", "", 3, Duration.ofSeconds(2),
      Duration.ofSeconds(30), Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofSeconds(60));

  /** A loop that serves backend connections only, as a client I/O thread would beside its clients. */
  private static final class Loop extends BackendIo {
    Loop(String name) {
      super(name);
      start();
    }
  }

  @Test
  void repliesAreReadOnTheLoopTheAffinityNamesAndTheLoopsOutliveThePool() throws Exception {
    try (RedisServer server = RedisServer.builder().start(); Loop a = new Loop("loop-0"); Loop b = new Loop("loop-1")) {
      BackendAddress address = new BackendAddress(server.host(), server.port());
      BackendPool pool = new BackendPool(THREE_PER_SERVER, 0, s -> BackendTimings.NONE);
      pool.runOn(List.of(a, b));
      try {
        Set<BackendConnection> distinct = new HashSet<>();
        for (int affinity = 0; affinity < 12; affinity++) {
          BackendConnection c = pool.connection(address, 0, 2, affinity);
          distinct.add(c);
          assertThat(pingThread(c).getName()).as("affinity %d", affinity).isEqualTo("loop-" + affinity % 2);
        }
        // Three a server, rounded up to a multiple of the two loops.
        assertThat(distinct).hasSize(4);
        BackendConnection dedicated = pool.dedicated(address, 0, 2);
        assertThat(pingThread(dedicated).getName()).startsWith("loop-");
      } finally {
        pool.close();
      }
      for (Loop loop : List.of(a, b)) {
        CompletableFuture<String> ran = new CompletableFuture<>();
        loop.execute(() -> ran.complete(Thread.currentThread().getName()));
        assertThat(ran.get(5, TimeUnit.SECONDS)).isEqualTo(loop == a ? "loop-0" : "loop-1");
      }
    }
  }

  @Test
  void aPoolWithoutLoopsStartsOneOfItsOwnWhenAConnectionIsNeededFirst() throws Exception {
    try (RedisServer server = RedisServer.builder().start()) {
      BackendPool pool = new BackendPool(THREE_PER_SERVER, 0, s -> BackendTimings.NONE);
      Thread own;
      try {
        own = pingThread(pool.connection(new BackendAddress(server.host(), server.port()), 0, 7));
        assertThat(own.getName()).isEqualTo("rekko-backend-io-0");
      } finally {
        pool.close();
      }
      own.join(10_000);
      assertThat(own.isAlive()).as("the pool's own thread stopped with it").isFalse();
    }
  }

  /** The thread that handled the reply to a PING sent on {@code c}. */
  private static Thread pingThread(BackendConnection c) throws Exception {
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    byte[] ping = Handshake.encode("PING");
    c.send(ping, 0, ping.length, new ReplyHandler() {
      @Override
      public void onReply(Reply r) {
        thread.complete(Thread.currentThread());
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
