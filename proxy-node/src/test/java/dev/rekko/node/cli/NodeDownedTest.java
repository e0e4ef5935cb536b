package dev.rekko.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.Main;
import dev.rekko.node.RekkoNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code node} when the cluster downs it ({@code rekko.cluster.on-downed}): it exits with code 3 so that a
 * supervisor can tell it from a crash, or starts a new node in the same process.
 */
class NodeDownedTest {
  private final StringWriter err = new StringWriter();
  private final List<RekkoNode> started = new CopyOnWriteArrayList<>();
  private final ExecutorService runner = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    started.forEach(RekkoNode::close);
    runner.shutdownNow();
  }

  private CompletableFuture<Integer> node(String onDowned) throws IOException {
    Path data = Files.createTempDirectory("rekko-downed-");
    int cluster = freePort();
    CommandLine cl = Main.commandLine(config -> {
      RekkoNode n = RekkoNode.start(config);
      started.add(n);
      return n;
    });
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    String[] args = {"node", "--new-cluster", "-Drekko.proxy.port=" + freePort(), "-Drekko.admin.port=" + freePort(),
        "-Drekko.cluster.port=" + cluster, "-Drekko.cluster.seed-nodes=127.0.0.1:" + cluster,
        "-Drekko.data-dir=" + data, "-Drekko.dispatcher.parallelism=1", "-Drekko.cluster.on-downed=" + onDowned};
    return CompletableFuture.supplyAsync(() -> cl.execute(args), runner);
  }

  @Test
  void aDownedNodeExitsWithCodeThree() throws Exception {
    CompletableFuture<Integer> code = node("exit");
    await("the node serves", () -> started.size() == 1 && started.get(0).serving());
    down(started.get(0));
    assertThat(code.get(60, TimeUnit.SECONDS)).isEqualTo(3);
    assertThat(err.toString()).contains("the cluster downed this node; exiting with code 3");
    assertThat(started).hasSize(1);
  }

  @Test
  void withRestartADownedNodeIsReplacedInTheSameProcess() throws Exception {
    CompletableFuture<Integer> code = node("restart");
    await("the node serves", () -> started.size() == 1 && started.get(0).serving());
    down(started.get(0));
    await("a new node serves", () -> started.size() == 2 && started.get(1).serving());
    assertThat(err.toString()).contains("the cluster downed this node; starting a new one");
    assertThat(code).isNotDone();
    // A node that stops for any other reason ends the command normally.
    started.get(1).close();
    assertThat(code.get(60, TimeUnit.SECONDS)).isZero();
  }

  private static void down(RekkoNode node) {
    Cluster cluster = Cluster.get(node.system());
    cluster.manager().tell(new Down(cluster.selfMember().address()));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }

  private static int freePort() throws IOException {
    return dev.rekko.node.FreePorts.port();
  }
}
