package dev.rekko.redis.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One local {@code redis-server} process on a loopback port, for tests and the demo. Start with
 * {@link #builder()}; {@link #close()} stops it and deletes its temporary data folder.
 *
 * <p>The server runs under a small {@code sh} watchdog that reads the JVM's pipe on its stdin and
 * kills Redis with SIGKILL when that pipe closes, so no {@code redis-server} outlives the JVM that
 * started it — not even when that JVM is killed (shutdown hooks do not run then).
 */
public final class RedisServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisServer.class);
  // $0 = binary, $1 = config file. A background job's stdin is /dev/null, so only `cat` holds the pipe.
  private static final String WATCHDOG =
      "\"$0\" \"$1\" & pid=$!; trap 'kill -9 $pid 2>/dev/null; exit 0' TERM; cat >/dev/null; kill -9 $pid 2>/dev/null";

  private final RedisServerOptions options;
  private final Path dir;
  private final boolean ownsDir;
  private final int port;
  private Process watchdog;
  private ProcessHandle redis;

  private RedisServer(RedisServerOptions options, Path dir, boolean ownsDir, int port) {
    this.options = options;
    this.dir = dir;
    this.ownsDir = ownsDir;
    this.port = port;
  }

  public static RedisServerOptions builder() {
    return new RedisServerOptions();
  }

  static RedisServer launch(RedisServerOptions options) {
    Path dir;
    boolean ownsDir = options.dataDir() == null;
    try {
      dir = ownsDir ? Files.createTempDirectory("rekko-redis-") : Files.createDirectories(options.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a data folder for redis-server", e);
    }
    int attempts = options.port() == 0 ? 5 : 1;
    for (int attempt = 1; ; attempt++) {
      int port = options.port() == 0 ? freePort(options.host()) : options.port();
      RedisServer server = new RedisServer(options, dir, ownsDir, port);
      try {
        server.start();
        return server;
      } catch (RuntimeException e) {
        // A free port can be taken between probing and binding; try another one.
        if (attempt >= attempts || !server.logTail().contains("Address already in use")) {
          server.close();
          throw e;
        }
      }
    }
  }

  /** (Re)starts the process on the same port and folder, e.g. after {@link #kill()}; waits for PING. */
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    try {
      Path conf = dir.resolve("redis.conf");
      Files.writeString(conf, options.configText(dir, port), StandardCharsets.UTF_8);
      Files.deleteIfExists(dir.resolve("redis.pid"));
      watchdog = new ProcessBuilder("sh", "-c", WATCHDOG, options.binary().path().toString(), conf.toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.stdout").toFile()))
          .start();
      Registry.add(this);
      awaitReady(options.startTimeout());
      redis = ProcessHandle.of(Long.parseLong(Files.readString(dir.resolve("redis.pid")).trim()))
          .orElseThrow(() -> new IllegalStateException("redis-server exited right after starting"));
      log.debug("redis-server {} started on {} (pid {})", options.binary().version(), address(), redis.pid());
    } catch (IOException e) {
      stop();
      throw new UncheckedIOException("cannot start redis-server on port " + port + ": " + e.getMessage()
          + "\n" + logTail(), e);
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  /** SIGKILL, as a crash would; the port and folder stay reserved for {@link #start()}. */
  public synchronized void kill() {
    if (redis != null) {
      redis.destroyForcibly();
      awaitExit(redis);
    }
    stopWatchdog();
  }

  /** Graceful stop (SIGTERM; Redis saves only if its config asks it to). */
  public synchronized void stop() {
    if (redis != null) {
      redis.destroy();
      if (!awaitExit(redis)) {
        redis.destroyForcibly();
        awaitExit(redis);
      }
    }
    stopWatchdog();
  }

  @Override
  public synchronized void close() {
    stop();
    Registry.remove(this);
    if (ownsDir) {
      deleteRecursively(dir);
    }
  }

  public boolean isRunning() {
    return redis != null && redis.isAlive();
  }

  public String host() {
    return options.host();
  }

  public int port() {
    return port;
  }

  /** {@code host:port}, the form topology and config use for a server. */
  public String address() {
    return options.host() + ":" + port;
  }

  public long pid() {
    return redis == null ? -1 : redis.pid();
  }

  public Path dataDir() {
    return dir;
  }

  public RedisBinary binary() {
    return options.binary();
  }

  public Optional<String> password() {
    return Optional.ofNullable(options.password());
  }

  public RedisServerOptions options() {
    return options;
  }

  /**
   * The client side of this server's TLS ({@link RedisServerOptions#tls}: its CA, and its own certificate
   * as the client's), for Rekko's backend connections in tests and the demo; null when it serves plain TCP.
   */
  public dev.rekko.redis.tls.BackendTls tls() {
    return options.tlsClient();
  }

  /** A client already authenticated with this server's credentials (over TLS when it serves TLS). */
  public LocalRedisClient client() throws IOException {
    LocalRedisClient c = new LocalRedisClient(options.host(), port, 5_000, options.tlsClient());
    List<String> auth = options.authArgs();
    if (!auth.isEmpty()) {
      c.ok(auth.toArray(String[]::new));
    }
    return c;
  }

  /** The last lines of the server's log and stdout, for error messages. */
  public String logTail() {
    StringBuilder sb = new StringBuilder();
    for (String name : List.of("redis.stdout", "redis.log")) {
      try {
        List<String> lines = Files.readAllLines(dir.resolve(name), StandardCharsets.UTF_8);
        lines.subList(Math.max(0, lines.size() - 20), lines.size()).forEach(l -> sb.append(l).append('\n'));
      } catch (IOException ignored) {
        // the file does not exist yet
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "redis-server " + address();
  }

  private void awaitReady(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      if (!watchdog.isAlive()) {
        throw new IOException("redis-server exited");
      }
      try (LocalRedisClient c = client()) {
        Object pong = c.call("PING");
        if ("PONG".equals(pong) && Files.exists(dir.resolve("redis.pid"))) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      sleep(20);
    }
    throw new IOException("redis-server did not answer PING within " + timeout.toMillis() + " ms"
        + (last == null ? "" : " (" + last.getMessage() + ")"));
  }

  private void stopWatchdog() {
    if (watchdog != null) {
      try {
        watchdog.getOutputStream().close();
      } catch (IOException ignored) {
        // already closed
      }
      try {
        if (!watchdog.waitFor(5, TimeUnit.SECONDS)) {
          watchdog.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      watchdog = null;
    }
    redis = null;
  }

  private static boolean awaitExit(ProcessHandle handle) {
    try {
      handle.onExit().get(10, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return !handle.isAlive();
    }
  }

  static int freePort(String host) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(host, 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + host, e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: a temp folder
    }
  }

  /** Every server this JVM started, killed by a shutdown hook as a second line of defence. */
  private static final class Registry {
    private static final java.util.Set<RedisServer> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(RedisServer::kill), "redis-reaper"));
    }

    static void add(RedisServer s) {
      LIVE.add(s);
    }

    static void remove(RedisServer s) {
      LIVE.remove(s);
    }
  }
}
