package dev.rekko.multinode.chaos;

import dev.rekko.node.demo.DemoNode;
import dev.rekko.node.demo.NodeSpec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * One Rekko node as an operator runs it: {@code java -cp <jar> dev.rekko.node.Main node -D ...} in a
 * process of its own, started again on the same ports and data folder after a crash. Its output is
 * appended to one log per node, each start behind a marker line. The node holds a pipe to this JVM
 * ({@code --exit-on-stdin-close}), so it does not outlive a test JVM that dies without cleaning up.
 */
final class ChaosNode implements DemoNode {
  private static final int TAIL_BYTES = 16 * 1024;

  private final NodeSpec spec;
  private final List<String> jvmOptions;
  private final String classPath;
  private Process process;
  private boolean frozen;
  private int starts;
  /** Where this start's output begins in the log. */
  private long logOffset;

  ChaosNode(NodeSpec spec, List<String> jvmOptions, String classPath) {
    this.spec = spec;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.classPath = classPath;
  }

  int index() {
    return spec.index();
  }

  Map<String, String> settings() {
    return spec.settings();
  }

  int setting(String key) {
    return Integer.parseInt(spec.settings().get(key));
  }

  Path log() {
    return spec.logFile();
  }

  /** Starts the process (again) and returns at once; it may not serve yet. */
  synchronized void start() {
    if (alive()) {
      throw new IllegalStateException(this + " still runs");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", classPath, "dev.rekko.node.Main", "node", "--exit-on-stdin-close"));
    spec.settings().forEach((k, v) -> cmd.addAll(List.of("-D", k + "=" + v)));
    try {
      Files.createDirectories(log().toAbsolutePath().getParent());
      starts++;
      Files.writeString(log(), "=== " + LocalTime.now() + " chaos harness: start #" + starts + " of node "
          + index() + ": " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      logOffset = Files.size(log());
      process = new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
          .start();
      frozen = false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + index(), e);
    }
  }

  /** SIGKILL, as a crash; returns once the process has gone. */
  synchronized void kill() {
    if (!alive()) {
      return;
    }
    thaw(); // a stopped process dies of SIGKILL too, but only a running one closes its sockets at once
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    note("SIGKILL");
  }

  /** SIGSTOP: the JVM freezes with its sockets open, as in a long GC pause or a VM that is suspended. */
  synchronized void freeze() {
    signal("STOP");
    frozen = true;
    note("SIGSTOP");
  }

  /** SIGCONT after {@link #freeze()}. */
  synchronized void thaw() {
    if (frozen && alive()) {
      signal("CONT");
      note("SIGCONT");
    }
    frozen = false;
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  synchronized boolean frozen() {
    return frozen && alive();
  }

  synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  /** Waits up to {@code millis} for the process to end; its exit code, empty if it still runs. */
  OptionalInt awaitExit(long millis) throws InterruptedException {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (p == null) {
      return OptionalInt.empty();
    }
    return p.waitFor(millis, TimeUnit.MILLISECONDS) ? OptionalInt.of(p.exitValue()) : OptionalInt.empty();
  }

  /** Whether this start's output has a line containing {@code text}. */
  boolean loggedSinceStart(String text) {
    try (RandomAccessFile f = new RandomAccessFile(log().toFile(), "r")) {
      long offset;
      synchronized (this) {
        offset = logOffset;
      }
      byte[] bytes = new byte[(int) Math.max(0, f.length() - offset)];
      f.seek(offset);
      f.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Writes the node's thread dump ({@code jcmd <pid> Thread.print}) next to its log and returns that
   * file: what a hung node was doing, for a failure report.
   */
  Path threadDump() {
    Path out = log().resolveSibling("node-" + index() + "-threads-" + System.currentTimeMillis() + ".txt");
    if (!alive() || frozen()) {
      return out;
    }
    try {
      Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "Thread.print")
          .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  @Override
  public synchronized OptionalInt exitCode() {
    return process == null || process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
  }

  @Override
  public String logTail() {
    try (RandomAccessFile f = new RandomAccessFile(log().toFile(), "r")) {
      long start = Math.max(0, f.length() - TAIL_BYTES);
      byte[] bytes = new byte[(int) (f.length() - start)];
      f.seek(start);
      f.readFully(bytes);
      List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    kill();
  }

  @Override
  public String toString() {
    return "node " + index() + " (pid " + pid() + ", log " + log() + ")";
  }

  /** A line in the node's log, so that its own lines can be read against what the harness did. */
  private void note(String what) {
    try {
      Files.writeString(log(), "=== " + LocalTime.now() + " chaos harness: " + what + " node " + index()
          + " (pid " + pid() + ")\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      // the log is for people; the signal is what counts
    }
  }

  private void signal(String name) {
    if (!alive()) {
      return;
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
          .redirectErrorStream(true).start();
      String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + name, e);
    }
  }
}
