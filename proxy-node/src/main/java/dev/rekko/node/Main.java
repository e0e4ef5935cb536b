package dev.rekko.node;

import dev.rekko.node.config.NodeConfig;
import dev.rekko.node.config.NodeConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
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

  /** How {@code node} starts a node: {@link RekkoNode#start}, unless a test watches or refuses it. */
  @FunctionalInterface
  public interface NodeStart {
    RekkoNode start(NodeConfig config) throws Exception;
  }

  final NodeStart nodeStart;

  public Main() {
    this(RekkoNode::start);
  }

  public Main(NodeStart nodeStart) {
    this.nodeStart = nodeStart;
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
    return commandLine(RekkoNode::start);
  }

  /** The command line with its error handling, for running in-process; {@code node} starts nodes so. */
  public static CommandLine commandLine(NodeStart nodeStart) {
    CommandLine cl = new CommandLine(new Main(nodeStart));
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
