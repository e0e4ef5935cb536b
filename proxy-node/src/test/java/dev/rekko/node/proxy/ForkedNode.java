package dev.rekko.node.proxy;

import dev.rekko.node.FreePorts;
import dev.rekko.node.demo.NodeProcess;
import dev.rekko.node.demo.NodeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A node in a JVM of its own, started with the demo's command line ({@link NodeProcess#command}: the
 * demo's {@code -Xmx256m}, {@code -XX:+ExitOnOutOfMemoryError}, ...) so that running out of memory
 * kills that process and not the test's. Optionally behind a command prefix such as {@code prlimit}.
 * Serves once {@link #awaitServing} returned; {@link #close} kills it.
 */
final class ForkedNode implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final int respPort;
  private final int adminPort;

  private ForkedNode(Process process, Path log, int respPort, int adminPort) {
    this.process = process;
    this.log = log;
    this.respPort = respPort;
    this.adminPort = adminPort;
  }

  /**
   * Starts a node serving {@code bootstrap} (the one-line groups form) with {@code extra} settings,
   * its output in {@code dir}/node.log.
   */
  static ForkedNode start(Path dir, String bootstrap, Map<String, String> extra, List<String> prefix)
      throws IOException {
    return start(dir, bootstrap, extra, prefix, "");
  }

  /** @param jvmOptions more options for the node's JVM ({@code JAVA_TOOL_OPTIONS}), e.g. a system property */
  static ForkedNode start(Path dir, String bootstrap, Map<String, String> extra, List<String> prefix,
      String jvmOptions) throws IOException {
    int resp = FreePorts.port();
    int admin = FreePorts.port();
    int cluster = FreePorts.port();
    Map<String, String> s = new LinkedHashMap<>();
    s.put("rekko.proxy.port", Integer.toString(resp));
    s.put("rekko.admin.port", Integer.toString(admin));
    s.put("rekko.cluster.port", Integer.toString(cluster));
    s.put("rekko.cluster.seed-nodes", "[\"127.0.0.1:" + cluster + "\"]");
    s.put("rekko.cluster.form-new-cluster", "on");
    s.put("rekko.bootstrap.groups", bootstrap);
    s.put("rekko.data-dir", dir.resolve("data").toString());
    s.put("rekko.dispatcher.parallelism", "2");
    s.putAll(extra);
    Path log = dir.resolve("node.log");
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(NodeProcess.command(new NodeSpec(0, Optional.empty(), s, log)));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // The collector's log, for what a test reports about the node's heap.
    pb.environment().put("JAVA_TOOL_OPTIONS", ("-Xlog:gc:file=" + dir.resolve("gc.log") + " " + jvmOptions).trim());
    Process p = pb.start();
    return new ForkedNode(p, log, resp, admin);
  }

  int respPort() {
    return respPort;
  }

  int adminPort() {
    return adminPort;
  }

  Path log() {
    return log;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Waits until the node answers a write and its HTTP API says it is ready: both listeners bound (the RESP
   * one binds first) and the topology seeded.
   */
  void awaitServing(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new AssertionError("the node exited with " + process.exitValue() + ":\n" + tail());
      }
      try (RespSocket s = new RespSocket(respPort, 2_000)) {
        if ("OK".equals(s.call("SET", "forked:probe", "1"))) {
          awaitApi("/api/ready", "\"ready\":true", Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the node does not serve after " + timeout + ":\n" + tail());
      }
      Thread.sleep(300);
    }
  }

  /**
   * Waits until the node's HTTP API answers {@code path} with a body containing {@code text}: the node's
   * background services (health checks, the coordinator's HA) have run their first rounds.
   */
  void awaitApi(String path, String text, Duration timeout) throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort + path))
        .timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        String body = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        if (body.contains(text)) {
          return;
        }
      } catch (IOException e) {
        // not answering yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(path + " never contained " + text + " within " + timeout + ":\n" + tail());
      }
      Thread.sleep(300);
    }
  }

  /** The end of its output, read from the end: a log flooded with lines may be large. */
  String tail() {
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(log.toFile(), "r")) {
      long start = Math.max(0, f.length() - 8000);
      byte[] bytes = new byte[(int) (f.length() - start)];
      f.seek(start);
      f.readFully(bytes);
      return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
