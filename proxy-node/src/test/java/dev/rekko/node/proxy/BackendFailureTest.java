package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.rekko.redis.launcher.RedisServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A group's master dies (SIGKILL) or freezes (SIGSTOP) under traffic: its slots fail fast with an
 * error naming the server, the other group is untouched, and service comes back by itself when the
 * server does, without restarting the node. Each test owns its servers, since it breaks them.
 */
class BackendFailureTest {

  /** Keeps SET+GET going on one key per group and records what happened to each group. */
  private static final class Traffic implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong[] ok = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
    /** Index 1 and 2: the groups' error texts. */
    final List<ConcurrentLinkedQueue<String>> errors =
        List.of(new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>());
    final CompletableFuture<Void> done;

    Traffic(ProxyFixture fx) {
      Jedis j = fx.jedis();
      String[] keys = {null, fx.keyInGroup("traffic-a:", 1), fx.keyInGroup("traffic-b:", 2)};
      done = TestThreads.fork(() -> {
        long n = 0;
        while (running.get()) {
          for (int g = 1; g <= 2; g++) {
            String value = "v" + n++;
            try {
              j.set(keys[g], value);
              assertThat(j.get(keys[g])).isEqualTo(value);
              ok[g].incrementAndGet();
            } catch (JedisDataException e) {
              errors.get(g).add(e.getMessage());
            }
          }
        }
      });
    }

    void awaitProgress(int group, long atLeast) throws InterruptedException {
      long from = ok[group].get();
      assertThat(ProxyFixture.await(Duration.ofSeconds(20), () -> ok[group].get() >= from + atLeast))
          .as("group %d traffic progresses", group).isTrue();
    }

    @Override
    public void close() throws ExecutionException, TimeoutException {
      running.set(false);
      // A connection error (socket timeout = a hang) would surface here.
      try {
        done.get(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void killedMasterFailsFastForItsSlotsAndServiceResumesAfterRestart() {
    assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
      try (ProxyFixture fx = ProxyFixture.builder().groups(2).start()) {
        RedisServer dead = fx.master(1);
        String k1 = fx.keyInGroup("down:", 1);
        String k2 = fx.keyInGroup("up:", 2);
        Jedis j = fx.jedis();
        Traffic traffic = new Traffic(fx);
        try (traffic) {
          traffic.awaitProgress(1, 50);
          traffic.awaitProgress(2, 50);

          dead.kill();
          // Within a short deadline, group 1's commands fail with an error naming the dead server ...
          assertThat(ProxyFixture.await(Duration.ofSeconds(10), () -> failsNaming(j, k1, dead))).isTrue();
          for (int i = 0; i < 20; i++) {
            assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThatThrownBy(() -> j.set(k1, "x"))
                .isInstanceOf(JedisDataException.class).hasMessageContaining(dead.address()));
          }
          // ... a split command touching it fails as a whole ...
          assertThatThrownBy(() -> j.mget(k1, k2)).hasMessageContaining(dead.address());
          // ... and group 2 serves as before, interleaved in the same pipeline.
          assertThat(j.set(k2, "alive")).isEqualTo("OK");
          RespSocket s = fx.socket();
          for (int i = 0; i < 100; i++) {
            s.send("SET", i % 2 == 0 ? k1 : k2, "p" + i);
          }
          for (int i = 0; i < 100; i++) {
            Object reply = s.read();
            if (i % 2 == 0) {
              assertThat(reply).asString().contains("ERR", dead.address());
            } else {
              assertThat(reply).isEqualTo("OK");
            }
          }
          traffic.awaitProgress(2, 50);

          dead.start();
          assertThat(ProxyFixture.await(Duration.ofSeconds(30), () -> works(j, k1)))
              .as("group 1 serves again after its master restarted").isTrue();
          traffic.awaitProgress(1, 50);
          assertThat(j.get(k2)).isNotNull();
        }
        // Group 2's traffic never saw an error; group 1's errors all named its server. (Closing the
        // traffic already proved that no command hung: that would have been a socket timeout.)
        assertThat(traffic.errors.get(2)).as("group 2 errors").isEmpty();
        assertThat(traffic.errors.get(1)).isNotEmpty().allSatisfy(e -> assertThat(e).contains(dead.address()));
        assertThat(fx.node().context().pool().status()).allMatch(st -> st.up());
      }
    });
  }

  @Test
  void frozenMasterTimesOutWithinReceiveTimeoutAndRecovers() {
    assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
      try (ProxyFixture fx = ProxyFixture.builder().groups(2).set("rekko.backend.receive-timeout", "1s").start()) {
        RedisServer frozen = fx.master(1);
        String k1 = fx.keyInGroup("frozen:", 1);
        String k2 = fx.keyInGroup("thawed:", 2);
        Jedis j = fx.jedis();
        assertThat(j.set(k1, "before")).isEqualTo("OK");
        signal("STOP", frozen.pid());
        try {
          // The command waits at most about the receive timeout, then fails naming the server.
          assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThatThrownBy(() -> j.get(k1))
              .isInstanceOf(JedisDataException.class).hasMessageContaining(frozen.address()));
          assertThat(j.set(k2, "fine")).isEqualTo("OK");
          assertThat(j.get(k2)).isEqualTo("fine");
        } finally {
          signal("CONT", frozen.pid());
        }
        assertThat(ProxyFixture.await(Duration.ofSeconds(30), () -> works(j, k1))).isTrue();
        assertThat(j.get(k1)).isEqualTo("after");
      }
    });
  }

  @Test
  void restartedMasterGetsAuthAndSelectAgainOnReconnect() {
    // The node's own connections must redo AUTH and SELECT after a reconnect, or writes would be
    // refused (NOAUTH) or, worse, land silently in database 0.
    assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
      try (ProxyFixture fx = ProxyFixture.builder().groups(2).replicas(1).backendPassword("bpw").start()) {
        RedisServer master = fx.master(1);
        String key = fx.keyInGroup("db5:", 1);
        Jedis j = fx.jedis(fx.node(), b -> b.database(5));
        assertThat(j.set(key, "first")).isEqualTo("OK");
        master.kill();
        assertThat(ProxyFixture.await(Duration.ofSeconds(10), () -> failsNaming(j, key, master))).isTrue();
        master.start();
        assertThat(ProxyFixture.await(Duration.ofSeconds(30), () -> works(j, key))).isTrue();
        Jedis direct = fx.direct(master);
        direct.select(5);
        assertThat(direct.get(key)).isEqualTo("after");
        direct.select(0);
        assertThat(direct.exists(key)).isFalse();
      }
    });
  }

  private static boolean failsNaming(Jedis j, String key, RedisServer server) {
    try {
      j.set(key, "probe");
      return false;
    } catch (JedisDataException e) {
      return e.getMessage().contains(server.address());
    }
  }

  private static boolean works(Jedis j, String key) {
    try {
      return "OK".equals(j.set(key, "after"));
    } catch (JedisDataException e) {
      return false;
    }
  }

  private static void signal(String signal, long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }
}
