package dev.rekko.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.topology.ServerRole;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator's Redis calls run on threads of their own: with Pekko's shared blocking dispatcher full
 * of other long work (migration walks used to fill it), adding a server, which checks it in Redis first,
 * still answers.
 */
class CoordinatorRedisThreadsTest {
  @TempDir
  Path dataRoot;

  @Test
  void aServerIsAddedWhilePekkosBlockingDispatcherIsFull() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (RedisServer server = RedisServer.builder().start();
        CoordinatorCluster cluster = CoordinatorCluster.start(List.of(dataRoot.resolve("n0")), "",
            CoordinatorCluster.settings(List.of(), ""))) {
      assertThat(cluster.askUntilReady(0, r -> new Coordinator.CreateGroup(2, r)))
          .isInstanceOf(Coordinator.GroupChanged.class);

      var system = cluster.node(0).system();
      Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
      int threads = system.settings().config()
          .getInt("pekko.actor.default-blocking-io-dispatcher.thread-pool-executor.fixed-pool-size");
      for (int i = 0; i < 2 * threads; i++) {
        blocking.execute(() -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }

      Coordinator.Result added = cluster.node(0).ask(r -> new Coordinator.AddServer(2, server.address(), "", r));
      assertThat(added).isInstanceOfSatisfying(Coordinator.GroupChanged.class, c ->
          assertThat(c.group().server(server.address()).orElseThrow().role()).isEqualTo(ServerRole.MASTER));
    } finally {
      release.countDown();
    }
  }
}
