package dev.rekko.redis.health;

import static dev.rekko.redis.TestWaits.await;
import static dev.rekko.redis.TestWaits.freePort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.RedisBinary;
import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Against real redis-server processes: a master and its replica through a crash and a restart, and watch. */
class HealthCheckerTest {
  private static final String PASSWORD = "pw";
  private static final HealthChecker.Settings SETTINGS = new HealthChecker.Settings(Duration.ofMillis(100),
      Duration.ofMillis(200), Duration.ofMillis(300), "", PASSWORD);

  private final List<List<ServerHealth>> changes = new CopyOnWriteArrayList<>();

  @Test
  void masterAndReplicaThroughACrashAndARestart() throws Exception {
    try (RedisServer master = RedisServer.builder().password(PASSWORD).config("repl-diskless-sync-delay 0").start();
        RedisServer replica = RedisServer.builder().password(PASSWORD).replicaOf(master).start();
        HealthChecker checker = new HealthChecker(SETTINGS, changes::add)) {
      checker.watch(List.of(master.address(), replica.address()));
      try (LocalRedisClient c = master.client()) {
        for (int i = 0; i < 5; i++) {
          c.ok("SET", "k" + i, "v");
        }
        c.ok("SELECT", "2");
        c.ok("SET", "other-db", "v");
      }
      await("both up, the replica linked and caught up", () -> {
        ServerHealth m = health(checker, master);
        ServerHealth r = health(checker, replica);
        return m.up() && m.isMaster() && m.keys() == 6 && r.up() && r.isReplica() && r.linkUp() && r.keys() == 6
            && r.offset() > 0 && r.offset() == m.offset();
      });
      ServerHealth m = health(checker, master);
      ServerHealth r = health(checker, replica);
      assertThat(m.masterAddr()).isEmpty();
      assertThat(r.masterAddr()).isEqualTo(master.address());
      assertThat(m.priority()).isEqualTo(100);
      assertThat(r.priority()).isEqualTo(100);
      assertThat(r.linkDownMillis()).isZero();
      assertThat(m.runId()).hasSize(40).isNotEqualTo(r.runId());
      assertThat(r.replId()).isEqualTo(m.replId()).isNotEmpty();
      assertThat(changes).as("every view holds both servers")
          .allSatisfy(view -> assertThat(view).extracting(ServerHealth::addr)
              .containsExactly(master.address(), replica.address()));
      await("a view with both up was reported", () -> changes.stream().anyMatch(
          view -> view.stream().allMatch(h -> h.up() && !h.role().isEmpty())));

      try (LocalRedisClient c = replica.client()) {
        c.ok("CONFIG", "SET", "replica-priority", "7");
      }
      await("the replica's priority seen", () -> health(checker, replica).priority() == 7);

      int before = changes.size();
      master.kill();
      await("master down", () -> !health(checker, master).up());
      long downFor = health(checker, master).downForMillis();
      await("its down time grows", () -> health(checker, master).downForMillis() > downFor);
      await("the crash reported", () -> reported(before, view -> !find(view, master.address()).up()));
      await("the replica's link down for a second",
          () -> !health(checker, replica).linkUp() && health(checker, replica).linkDownMillis() >= 1000);
      ServerHealth down = health(checker, master);
      assertThat(down).as("nothing but down").isEqualTo(ServerHealth.down(master.address(), down.downForMillis()));

      int beforeRestart = changes.size();
      master.start();
      await("the restarted master up with a new run id", () -> {
        ServerHealth h = health(checker, master);
        return h.up() && h.isMaster() && !h.runId().isEmpty() && !h.runId().equals(m.runId());
      });
      assertThat(health(checker, master).downForMillis()).isZero();
      await("the restart reported", () -> reported(beforeRestart, view -> {
        ServerHealth h = find(view, master.address());
        return h.up() && !h.runId().isEmpty() && !h.runId().equals(m.runId());
      }));
      await("the replica linked again", () -> health(checker, replica).linkUp());
    }
  }

  @Test
  void watchReplacesTheSetAndClosesWhatItDrops() throws Exception {
    String nobody = "127.0.0.1:" + freePort();
    try (RedisServer a = RedisServer.builder().password(PASSWORD).start();
        RedisServer b = RedisServer.builder().password(PASSWORD).start();
        LocalRedisClient onA = a.client();
        HealthChecker checker = new HealthChecker(SETTINGS, changes::add)) {
      checker.watch(List.of(a.address(), nobody));
      assertThat(checker.snapshot()).extracting(ServerHealth::addr).containsExactly(a.address(), nobody);
      await("a up, nobody down for a while", () -> health(checker, a.address()).up()
          && health(checker, nobody).downForMillis() > 500);
      await("nobody's first check reported", () -> reported(0, view -> find(view, nobody).role().isEmpty()
          && !find(view, nobody).up() && find(view, a.address()).up()));
      await("one connection from the checker on a", () -> clients(onA) == 2);

      checker.watch(List.of(b.address(), a.address(), b.address()));
      assertThat(checker.snapshot()).extracting(ServerHealth::addr).containsExactly(b.address(), a.address());
      checker.watch(List.of(b.address()));
      assertThat(checker.snapshot()).extracting(ServerHealth::addr).containsExactly(b.address());
      await("b up", () -> health(checker, b.address()).up());
      await("the checker's connection to a closed", () -> clients(onA) == 1);
      int before = changes.size();
      b.kill();
      await("b down reported", () -> reported(before, view -> view.size() == 1 && !view.get(0).up()));
      assertThat(changes.get(changes.size() - 1)).extracting(ServerHealth::addr).containsExactly(b.address());

      assertThatThrownBy(() -> checker.watch(List.of("no-port"))).isInstanceOf(IllegalArgumentException.class);
      assertThat(checker.snapshot()).extracting(ServerHealth::addr).containsExactly(b.address());
    }
  }

  @Test
  void aServerThatDoesNotAnswerInTimeIsDownUntilItDoes() throws Exception {
    String debug = RedisBinary.compareVersions(RedisBinary.resolve().version(), "7.0.0") >= 0
        ? "enable-debug-command yes" : "";
    try (RedisServer server = RedisServer.builder().password(PASSWORD).config(debug).start();
        HealthChecker checker = new HealthChecker(SETTINGS, changes::add)) {
      checker.watch(List.of(server.address()));
      await("up", () -> health(checker, server.address()).isMaster());
      String runId = health(checker, server.address()).runId();
      try (Socket sleeper = new Socket(server.host(), server.port())) {
        // Not read: the reply comes only after the sleep.
        sleeper.getOutputStream().write(("AUTH " + PASSWORD + "\r\nDEBUG SLEEP 5\r\n").getBytes(US_ASCII));
        await("down while it sleeps", () -> !health(checker, server.address()).up());
        await("up again, same process", () -> health(checker, server.address()).up()
            && runId.equals(health(checker, server.address()).runId()));
      }
    }
  }

  @Test
  void closeStopsTheChecksAndClosesTheirConnections() throws Exception {
    try (RedisServer server = RedisServer.builder().password(PASSWORD).start();
        LocalRedisClient c = server.client()) {
      HealthChecker checker = new HealthChecker(SETTINGS, changes::add);
      checker.watch(List.of(server.address()));
      await("up", () -> health(checker, server.address()).up());
      checker.close();
      await("its connection closed", () -> clients(c) == 1);
      await("no checker thread left", () -> Thread.getAllStackTraces().keySet().stream()
          .noneMatch(t -> t.isAlive() && t.getName().startsWith("rekko-health-")));
      assertThat(checker.snapshot()).isEmpty();
      assertThatThrownBy(() -> checker.watch(List.of(server.address()))).isInstanceOf(IllegalStateException.class);
    }
  }

  private boolean reported(int from, Predicate<List<ServerHealth>> view) {
    return changes.subList(from, changes.size()).stream().anyMatch(view);
  }

  private static ServerHealth health(HealthChecker checker, RedisServer server) {
    return health(checker, server.address());
  }

  private static ServerHealth health(HealthChecker checker, String addr) {
    return find(checker.snapshot(), addr);
  }

  private static ServerHealth find(List<ServerHealth> view, String addr) {
    return view.stream().filter(h -> h.addr().equals(addr)).findFirst()
        .orElseThrow(() -> new AssertionError(addr + " not in " + view));
  }

  /** Connections the server has, from CLIENT LIST (one line per client, ours included). */
  private static int clients(LocalRedisClient c) {
    try {
      return (int) ((String) c.ok("CLIENT", "LIST")).lines().filter(l -> !l.isBlank()).count();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }


}
