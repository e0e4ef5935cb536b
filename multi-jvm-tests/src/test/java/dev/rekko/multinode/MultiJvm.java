package dev.rekko.multinode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs a {@link MultiNodeScenario} with one forked JVM per role and fails (AssertionError) unless
 * every JVM exits 0. Runs never overlap: one lock serialises callers in this JVM and a file lock
 * serialises test JVMs that share the output folder.
 *
 * <p>Each node's stdout and stderr go to {@code target/multi-jvm/<Spec>/node-<i>.log}, and its
 * command line to {@code node-<i>.args} (start one node by hand with {@code java @node-<i>.args}).
 */
public final class MultiJvm {

  /** Folder for logs; surefire sets it to the module's {@code target/multi-jvm}. */
  static final String DIR_PROPERTY = "rekko.multijvm.dir";

  private static final List<String> JVM_OPTIONS = List.of(
      "-Xmx256m",
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      // As rekko-node.jar's Main does: with parallelism 1 CompletableFuture starts a thread per async stage.
      "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2");

  /** How long the other nodes may take to fail on their own after one node has failed. */
  private static final Duration GRACE_AFTER_FAILURE = Duration.ofSeconds(10);
  private static final int TAIL_LINES = 30;
  private static final ReentrantLock SERIAL = new ReentrantLock();

  private MultiJvm() {}

  public static void run(Class<? extends MultiNodeScenario> spec, int nodes, Duration timeout) {
    if (nodes < 1) {
      throw new IllegalArgumentException("nodes must be at least 1: " + nodes);
    }
    Path dir = Path.of(System.getProperty(DIR_PROPERTY, "target/multi-jvm")).toAbsolutePath();
    SERIAL.lock();
    try {
      Files.createDirectories(dir);
      try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"),
              StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        runLocked(spec, nodes, timeout, dir.resolve(spec.getSimpleName()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      SERIAL.unlock();
    }
  }

  private static void runLocked(
      Class<? extends MultiNodeScenario> spec, int nodes, Duration timeout, Path specDir)
      throws IOException {
    Files.createDirectories(specDir);
    // Scenarios keep data folders (LMDB) next to the logs: clear the whole tree of the last run.
    try (var old = Files.walk(specDir)) {
      for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (!p.equals(specDir)) {
          Files.delete(p);
        }
      }
    }
    int serverPort = freePort();
    List<Node> started = new ArrayList<>();
    Thread killer = new Thread(() -> started.forEach(Node::kill), "multi-jvm-killer");
    Runtime.getRuntime().addShutdownHook(killer);
    long begin = System.nanoTime();
    try {
      for (int i = 0; i < nodes; i++) {
        started.add(Node.start(spec, i, nodes, serverPort, specDir));
      }
      awaitAll(started, timeout);
    } finally {
      started.forEach(Node::kill);
      try {
        Runtime.getRuntime().removeShutdownHook(killer);
      } catch (IllegalStateException alreadyShuttingDown) {
        // The hook is running or about to; it kills the same processes.
      }
    }
    String seconds = String.format("%.1f s", (System.nanoTime() - begin) / 1e9);
    List<Node> failed = started.stream().filter(n -> !n.passed()).toList();
    if (!failed.isEmpty()) {
      throw new AssertionError(failureReport(spec, failed, seconds));
    }
    System.out.printf("%s: %d nodes passed in %s; logs in %s%n",
        spec.getSimpleName(), nodes, seconds, specDir);
  }

  /** Waits for every node, giving up at the timeout or shortly after the first failure. */
  private static void awaitAll(List<Node> nodes, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long giveUpAt = Long.MAX_VALUE;
    try {
      while (nodes.stream().anyMatch(Node::running)) {
        long now = System.nanoTime();
        if (now > deadline) {
          nodes.stream().filter(Node::running)
              .forEach(n -> n.fate = "killed: still running when the " + timeout.toSeconds()
                  + " s timeout expired");
          return;
        }
        if (giveUpAt == Long.MAX_VALUE && nodes.stream().anyMatch(Node::exitedBadly)) {
          giveUpAt = now + GRACE_AFTER_FAILURE.toNanos();
        }
        if (now > giveUpAt) {
          nodes.stream().filter(Node::running)
              .forEach(n -> n.fate = "killed: still running " + GRACE_AFTER_FAILURE.toSeconds()
                  + " s after another node failed");
          return;
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      nodes.stream().filter(Node::running)
          .forEach(n -> n.fate = "killed: the test thread was interrupted");
    }
  }

  private static String failureReport(
      Class<? extends MultiNodeScenario> spec, List<Node> failed, String seconds) {
    StringBuilder out = new StringBuilder(spec.getSimpleName()).append(" failed after ")
        .append(seconds).append(" on ")
        .append(String.join(", ", failed.stream().map(Node::describe).toList()));
    for (Node n : failed) {
      out.append("\n\n--- ").append(n.name()).append(": ").append(n.log)
          .append(" (last ").append(TAIL_LINES).append(" lines) ---\n");
      tail(n.log).forEach(line -> out.append(line).append('\n'));
    }
    return out.toString();
  }

  private static List<String> tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
    } catch (IOException e) {
      return List.of("(cannot read the log: " + e + ")");
    }
  }

  // The conductor binds this port a moment later; another process taking it in between is unlikely
  // on a test machine, and the failure would be loud.
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String testClassPath() {
    // Surefire starts its JVM from a manifest-only jar, so java.class.path is not the real one.
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
  }

  /** One forked JVM. */
  private static final class Node {
    final int index;
    final Process process;
    final Path log;
    volatile String fate;

    private Node(int index, Process process, Path log) {
      this.index = index;
      this.process = process;
      this.log = log;
    }

    static Node start(Class<?> spec, int index, int nodes, int serverPort, Path dir)
        throws IOException {
      List<String> args = new ArrayList<>(JVM_OPTIONS);
      args.addAll(List.of(
          "-Dmultinode.max-nodes=" + nodes,
          "-Dmultinode.host=127.0.0.1",
          "-Dmultinode.port=0",
          "-Dmultinode.server-host=127.0.0.1",
          "-Dmultinode.server-port=" + serverPort,
          "-Dmultinode.index=" + index,
          "-D" + MultiJvmNode.PARENT_PID + "=" + ProcessHandle.current().pid(),
          "-cp", testClassPath(),
          MultiJvmNode.class.getName(),
          spec.getName()));
      Path argFile = dir.resolve("node-" + index + ".args");
      Files.write(argFile, args.stream().map(Node::quote).toList(), StandardCharsets.UTF_8);
      Path log = dir.resolve("node-" + index + ".log");
      Process process = new ProcessBuilder(javaExecutable(), "@" + argFile)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      return new Node(index, process, log);
    }

    String name() {
      return "node-" + index;
    }

    boolean running() {
      return process.isAlive();
    }

    boolean exitedBadly() {
      return !process.isAlive() && process.exitValue() != 0;
    }

    boolean passed() {
      return fate == null && !process.isAlive() && process.exitValue() == 0;
    }

    String describe() {
      if (fate != null) {
        return name() + " (" + fate + ")";
      }
      return name() + " (exit " + process.exitValue() + ")";
    }

    void kill() {
      // Scenarios may start processes of their own (redis-server); they must not outlive the node.
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static String javaExecutable() {
      return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    // Argument files treat whitespace as a separator and backslash as an escape inside quotes.
    private static String quote(String arg) {
      return '"' + arg.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
  }
}
