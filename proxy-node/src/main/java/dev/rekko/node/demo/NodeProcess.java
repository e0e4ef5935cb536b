package dev.rekko.node.demo;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A demo node as a child JVM running {@code Main node --exit-on-stdin-close} from this JVM's own
 * classpath. The demo keeps the child's stdin pipe open and never writes to it: when the demo ends in
 * any way, SIGKILL included, the operating system closes the pipe and the node stops by itself.
 */
public final class NodeProcess implements DemoNode {
  private static final Logger log = LoggerFactory.getLogger(NodeProcess.class);
  /** How long a node may take to leave the cluster after its stdin closed, and again after SIGTERM. */
  static final Duration GRACE = Duration.ofSeconds(10);
  private static final int TAIL_LINES = 20;
  private static final int TAIL_BYTES = 16 * 1024;

  private final NodeSpec spec;
  private final Process process;

  private NodeProcess(NodeSpec spec, Process process) {
    this.spec = spec;
    this.process = process;
  }

  /** Starts the child JVM with its output appended to {@code spec.logFile()}. */
  public static NodeProcess start(NodeSpec spec) throws IOException {
    Files.createDirectories(spec.logFile().toAbsolutePath().getParent());
    Process process = new ProcessBuilder(command(spec))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.logFile().toFile()))
        .start();
    log.debug("node {} started as pid {}", spec.index(), process.pid());
    return new NodeProcess(spec, process);
  }

  /** The child's command line: java, JVM options, classpath, main class and the node's settings. */
  public static List<String> command(NodeSpec spec) {
    List<String> cmd = new ArrayList<>(List.of(javaExecutable(), "-Xmx256m", "-XX:+UseParallelGC",
        // An OutOfMemoryError leaves threads half done (a selector loop, an actor): end the node instead,
        // so that the cluster sees it leave and its supervisor restarts it.
        "-XX:+ExitOnOutOfMemoryError",
        // LMDB (the durable topology) needs these; `java -jar` takes them from the manifest, `-cp` does not.
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"));
    // A user's `java -Drekko.x=y -jar rekko-node.jar demo` means every node.
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("rekko.")).sorted()
        .forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
    cmd.addAll(List.of("-cp", classPath(), "dev.rekko.node.Main", "node", "--exit-on-stdin-close"));
    spec.configFile().ifPresent(f -> cmd.addAll(List.of("--config", f.toAbsolutePath().toString())));
    for (Map.Entry<String, String> e : spec.settings().entrySet()) {
      cmd.addAll(List.of("-D", e.getKey() + "=" + e.getValue()));
    }
    return cmd;
  }

  public NodeSpec spec() {
    return spec;
  }

  /** The child's process handle (tests signal it directly). */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  @Override
  public OptionalInt exitCode() {
    return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
  }

  @Override
  public String logTail() {
    return tail(spec.logFile());
  }

  @Override
  public void requestStop() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // the pipe is already gone, which asks the same
    }
  }

  /** Closes stdin and waits; then SIGTERM and waits; then SIGKILL. */
  @Override
  public void close() {
    requestStop();
    if (awaitExit(GRACE)) {
      return;
    }
    log.warn("node {} (pid {}) still runs {} s after its stdin closed; sending SIGTERM",
        spec.index(), process.pid(), GRACE.toSeconds());
    process.destroy();
    if (awaitExit(GRACE)) {
      return;
    }
    log.warn("node {} (pid {}) ignored SIGTERM; killing it", spec.index(), process.pid());
    process.destroyForcibly();
    awaitExit(GRACE);
  }

  @Override
  public String toString() {
    return "node " + spec.index() + " (pid " + process.pid() + ")";
  }

  private boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  /** The java this JVM runs on, so the nodes match the demo's Java version. */
  static String javaExecutable() {
    Path java = Path.of(System.getProperty("java.home"), "bin", isWindows() ? "java.exe" : "java");
    if (Files.isExecutable(java)) {
      return java.toString();
    }
    return ProcessHandle.current().info().command().orElse("java");
  }

  /**
   * This JVM's classpath made absolute: the shaded jar under {@code java -jar}, the module's classes
   * and dependencies under an IDE or Maven.
   */
  static String classPath() {
    String cp = System.getProperty("java.class.path", "");
    if (cp.isBlank()) {
      throw new IllegalStateException("cannot start demo nodes: java.class.path is empty");
    }
    return Arrays.stream(cp.split(File.pathSeparator)).filter(e -> !e.isBlank())
        .map(e -> Path.of(e).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** The last lines of {@code file}, reading only its end: a node's log can grow large. */
  static String tail(Path file) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long start = Math.max(0, f.length() - TAIL_BYTES);
      byte[] bytes = new byte[(int) (f.length() - start)];
      f.seek(start);
      f.readFully(bytes);
      List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
      if (start > 0 && !lines.isEmpty()) {
        lines = lines.subList(1, lines.size()); // the first one is cut
      }
      return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  private static boolean isWindows() {
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
  }
}
