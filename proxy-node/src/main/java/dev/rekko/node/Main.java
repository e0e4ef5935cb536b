package dev.rekko.node;

import dev.rekko.node.config.NodeConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code java -jar rekko-node.jar node|demo ...}: the executable jar's entry point. */
@Command(
    name = "rekko-node.jar",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Rekko: a distributed Redis proxy in the style of Codis, on Apache Pekko.",
    subcommands = {NodeCommand.class, DemoCommand.class, dev.rekko.node.admin.AdminCommand.class},
    footer = {"", "Run `java -jar rekko-node.jar COMMAND --help` for a command's options."})
public final class Main implements Runnable {
  static {
    commonPoolDefault();
  }

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @Spec
  CommandSpec spec;

  private final Supplier<List<NodeLauncher>> launchers;

  public Main() {
    this(Main::serviceLaunchers);
  }

  /** {@code launchers} replaces the ServiceLoader lookup (tests). */
  public Main(Supplier<List<NodeLauncher>> launchers) {
    this.launchers = launchers;
  }

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    // On success node/demo return only once the JVM is shutting down; System.exit then would block.
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * On a machine with one or two CPUs the common ForkJoinPool has parallelism 1, and CompletableFuture
   * then runs every async stage on a new thread. Pekko's Java asks (Scala futures seen as
   * CompletableFutures) complete their stages async, so each topology write, slot ask and pipeToSelf
   * started a thread: 10,000 in 30 s of a migration, and writes that took 300 ms instead of 15 ms. Two
   * common-pool threads avoid that; an explicit setting wins.
   */
  static void commonPoolDefault() {
    String key = "java.util.concurrent.ForkJoinPool.common.parallelism";
    if (System.getProperty(key) == null && Runtime.getRuntime().availableProcessors() <= 2) {
      System.setProperty(key, "2");
    }
  }

  public static CommandLine commandLine() {
    return commandLine(Main::serviceLaunchers);
  }

  /** The command line with its error handling, for running in-process. */
  public static CommandLine commandLine(Supplier<List<NodeLauncher>> launchers) {
    CommandLine cl = new CommandLine(new Main(launchers));
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      PrintWriter err = cmd.getErr();
      if (e instanceof CliException || e instanceof NodeConfigException) {
        err.println(e.getMessage());
      } else {
        err.println("rekko-node: " + cmd.getCommandName() + " failed: " + e);
        e.printStackTrace(err);
      }
      err.flush();
      return 1;
    });
    return cl;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: node or demo");
  }

  /** The one registered data path, or a message saying why there is none. */
  NodeLauncher launcher() {
    List<NodeLauncher> found;
    try {
      found = launchers.get();
    } catch (ServiceConfigurationError e) {
      throw new CliException("cannot load the node's data path (NodeLauncher): " + e.getMessage(), e);
    }
    if (found.isEmpty()) {
      throw new CliException("no NodeLauncher found: this build has no data path "
          + "(nothing on the classpath registers META-INF/services/" + NodeLauncher.class.getName() + ")");
    }
    if (found.size() > 1) {
      throw new CliException("more than one NodeLauncher registered: " + found.stream()
          .map(l -> l.getClass().getName()).collect(Collectors.joining(", ")));
    }
    return found.get(0);
  }

  static List<NodeLauncher> serviceLaunchers() {
    List<NodeLauncher> found = new ArrayList<>();
    ServiceLoader.load(NodeLauncher.class, Main.class.getClassLoader()).forEach(found::add);
    return found;
  }

  /**
   * Blocks until the JVM shuts down (Ctrl-C, SIGTERM), closing {@code running} in a shutdown hook
   * first. The data path's own threads may be daemons, so the main thread keeps the JVM up.
   */
  static void runUntilShutdown(AutoCloseable running, String what) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping {}", what);
      try {
        running.close();
      } catch (Exception e) {
        log.warn("stopping {} failed", what, e);
      } finally {
        stopped.countDown();
      }
    }, "rekko-shutdown"));
    stopped.await();
  }

  /** {@code --version}: Rekko's version (from the build), Pekko's and Java's. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
          "rekko-node " + rekkoVersion(),
          "Apache Pekko " + org.apache.pekko.Version.current() + ", Java " + System.getProperty("java.version")};
    }

    static String rekkoVersion() {
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        Properties p = new Properties();
        if (in != null) {
          p.load(in);
        }
        String v = p.getProperty("version", "");
        return v.isEmpty() || v.startsWith("${") ? "(development build)" : v;
      } catch (IOException e) {
        return "(unknown)";
      }
    }
  }
}
