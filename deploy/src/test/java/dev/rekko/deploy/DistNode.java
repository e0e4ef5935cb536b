package dev.rekko.deploy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A node started with the distribution's {@code bin/rekko-node}, as an operator starts it: settings from
 * REKKO_* variables (and whatever arguments the test adds), output to {@code dir}/node.log.
 */
final class DistNode implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final int resp;
  final int admin;
  final int cluster;
  final Path log;
  private final Process process;

  private DistNode(int resp, int admin, int cluster, Path log, Process process) {
    this.resp = resp;
    this.admin = admin;
    this.cluster = cluster;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts {@code bin/rekko-node args...} with exactly the REKKO_* variables of {@code env} (none
   * inherited from the test's environment), the test's own Java as JAVA_HOME.
   */
  static DistNode start(Path home, Path dir, int resp, int admin, int cluster, Map<String, String> env,
      List<String> args) throws IOException {
    Files.createDirectories(dir);
    Path log = dir.resolve("node.log");
    List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/rekko-node").toString()));
    // The hidden option the demo uses: should this test's JVM die, the node's stdin closes and it stops.
    cmd.add("--exit-on-stdin-close");
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("REKKO_") || k.equals("JAVA_TOOL_OPTIONS"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    // Each node's first exit would write an 80 MB class-data archive, seconds each; ClassArchiveTest
    // covers the archive.
    pb.environment().put("REKKO_CDS", "off");
    pb.environment().putAll(env);
    return new DistNode(resp, admin, cluster, log, pb.start());
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The HTTP status and body of GET {@code path} on this node, or status 0 when it does not answer. */
  Response get(String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + path))
        .timeout(Duration.ofSeconds(5)).build();
    try {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (IOException e) {
      return new Response(0, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Response(0, e.toString());
    }
  }

  record Response(int status, String body) {}

  /**
   * SIGTERM, as systemd, Docker and Kubernetes stop a node. Through the process handle: Process.destroy
   * also closes the node's stdin, which --exit-on-stdin-close would take as a stop of its own.
   */
  void terminate() {
    process.toHandle().destroy();
  }

  /** Waits for the process to exit; its exit code, or empty when it still runs after {@code timeout}. */
  java.util.OptionalInt awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
        ? java.util.OptionalInt.of(process.exitValue()) : java.util.OptionalInt.empty();
  }

  String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  /** The end of the node's output, for failure messages. */
  String tail() {
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long start = Math.max(0, f.length() - 6000);
      byte[] bytes = new byte[(int) (f.length() - start)];
      f.seek(start);
      f.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGTERM, then SIGKILL if it is still there after the grace the systemd unit gives it. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    terminate();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return "node resp=" + resp + " http=" + admin + " cluster=" + cluster + " (pid " + process.pid() + ")";
  }
}
