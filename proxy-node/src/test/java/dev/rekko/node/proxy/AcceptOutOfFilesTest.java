package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Out of file descriptors: a node in its own JVM gets its descriptor limit lowered (prlimit) to a few
 * above what it uses, then more clients connect than it can accept. The listener pauses accepting and
 * logs one line for the burst, instead of spinning and logging each attempt; once clients leave, the
 * ones waiting in the backlog are accepted and served. Skipped where prlimit or /proc is missing.
 */
class AcceptOutOfFilesTest {
  @TempDir
  Path dir;

  @Test
  void theListenerBacksOffAndRecovers() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")) && Stream.of("/usr/bin/prlimit", "/bin/prlimit")
        .anyMatch(p -> Files.isExecutable(Path.of(p))), "needs prlimit and /proc");
    List<AutoCloseable> open = new ArrayList<>();
    try {
      RedisServer redis = RedisServer.builder().start();
      open.add(redis);
      ForkedNode node = ForkedNode.start(dir, "1=" + redis.address(), Map.of(), List.of());
      open.add(node);
      node.awaitServing(Duration.ofSeconds(120));
      // Let the node's background services run first: a JVM short of descriptors cannot open the class
      // files it has not loaded yet, and a NoClassDefFoundError in an actor is fatal to Pekko (the node
      // exits; the clients below were then refused). Health checks and the coordinator's HA start after
      // the node serves; once the quorum's health of the server shows, their code has run.
      node.awaitApi("/api/groups/1", "\"source\":\"quorum\"", Duration.ofSeconds(60));
      Thread.sleep(2_500);

      long used;
      try (Stream<Path> fds = Files.list(Path.of("/proc/" + node.pid() + "/fd"))) {
        used = fds.count();
      }
      String limit = Files.readAllLines(Path.of("/proc/" + node.pid() + "/limits")).stream()
          .filter(l -> l.startsWith("Max open files")).findFirst().orElseThrow().split("\\s+")[3];
      prlimit(node.pid(), Long.toString(used + 6));
      List<RespSocket> served = new ArrayList<>();
      List<RespSocket> waiting = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        assertThat(node.alive()).as("node alive:\n%s", node.tail()).isTrue();
        RespSocket c = new RespSocket(node.respPort(), 1_500);
        open.add(c);
        c.send("PING");
        try {
          assertThat(c.read()).isEqualTo("PONG");
          served.add(c);
        } catch (SocketTimeoutException e) {
          waiting.add(c);
        } catch (java.net.SocketException e) {
          // Accepted, then closed: the node ran out of descriptors for what the connection needed next
          // (a backend connection, say). Neither served nor waiting; the node must still recover.
          c.close();
        }
      }
      assertThat(waiting).as("some clients wait in the backlog").isNotEmpty();
      Thread.sleep(3_000);
      // Streamed: without the back-off the log grows by thousands of lines a second.
      List<String> failures;
      try (Stream<String> lines = Files.lines(node.log())) {
        failures = lines.filter(l -> l.contains("accepting a client connection failed")).limit(100).toList();
      }
      assertThat(failures).as("one line for the burst, not one per attempt").hasSize(1);
      assertThat(failures.get(0)).contains("Too many open files");

      // Descriptors become available again: the clients waiting in the backlog are accepted.
      for (RespSocket c : served) {
        c.close();
      }
      prlimit(node.pid(), limit);
      for (RespSocket c : waiting) {
        c.setTimeout(15_000);
        assertThat(c.read()).as("served once descriptors are free").isEqualTo("PONG");
      }
      try (Stream<String> lines = Files.lines(node.log())) {
        assertThat(lines.anyMatch(l -> l.contains("accepting client connections again, after"))).isTrue();
      }
      assertThat(node.alive()).isTrue();
    } finally {
      if (Files.exists(dir.resolve("node.log"))) {
        Files.copy(dir.resolve("node.log"), Path.of("target", "AcceptOutOfFilesTest-node.log"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      for (int i = open.size() - 1; i >= 0; i--) {
        try {
          open.get(i).close();
        } catch (Exception ignored) {
          // closing everything anyway
        }
      }
    }
  }

  private static void prlimit(long pid, String files) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("prlimit", "--pid", Long.toString(pid), "--nofile=" + files + ":")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("prlimit: %s", out).isZero();
  }
}
