package dev.rekko.node;

import dev.rekko.node.config.ClusterSettings;
import dev.rekko.node.config.NodeConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code node}: one Rekko node with the configured settings, until Ctrl-C or SIGTERM. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    header = "Starts one Rekko node: RESP proxy and HTTP API.",
    description = {
        "Starts one Rekko node: the RESP proxy (rekko.proxy.port, default 19000) and the HTTP API "
            + "(rekko.admin.port, default 11080). Stops on Ctrl-C or SIGTERM.",
        "Settings, strongest first: -D, JVM system properties, --config FILE, REKKO_* environment "
            + "variables, defaults."})
final class NodeCommand implements Callable<Integer> {
  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions options;

  // For the demo, which starts nodes as child JVMs holding a pipe to their stdin: when the demo dies,
  // even by SIGKILL, the pipe closes and the node follows it instead of lingering on its ports.
  @Option(names = "--exit-on-stdin-close", hidden = true,
      description = "Stop the node and exit when standard input reaches end of file.")
  boolean exitOnStdinClose;

  @Option(names = "--new-cluster",
      description = "This node may form a new cluster (rekko.cluster.form-new-cluster = on): when no other "
          + "node it knows of is in one. Give it to one node, e.g. the first seed node; without it a node "
          + "only joins an existing cluster through the other seed nodes.")
  boolean newCluster;

  /** The exit code of a node the cluster downed, so a supervisor can tell it from a crash. */
  static final int DOWNED_EXIT_CODE = 3;

  private static final String FORM_NEW_CLUSTER = "rekko.cluster.form-new-cluster";

  @Override
  public Integer call() throws Exception {
    // An explicit -D rekko.cluster.form-new-cluster (force, say) wins over the flag.
    NodeConfig config = newCluster && !options.overrides.containsKey(FORM_NEW_CLUSTER)
        ? NodeConfig.load(options.file(), options.overridesWith(java.util.Map.of(FORM_NEW_CLUSTER, "on")))
        : options.load();
    dev.rekko.node.observe.LogFormat.use(config.observe().logFormat());
    if (exitOnStdinClose) {
      // Watching from before the start, so a parent that dies while the node starts is noticed too.
      watchStdin(System.in);
    }
    AtomicReference<RekkoNode> current = new AtomicReference<>();
    CompletableFuture<Void> shutdown = new CompletableFuture<>();
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      shutdown.complete(null);
      try {
        RekkoNode node = current.get();
        if (node != null) {
          node.stop(org.apache.pekko.actor.CoordinatedShutdown.jvmExitReason());
        }
      } catch (Exception e) {
        System.err.println("rekko-node: stopping the node failed: " + e);
      } finally {
        closed.countDown();
      }
    }, "rekko-shutdown"));
    while (true) {
      RekkoNode node;
      try {
        node = main.nodeStart.start(config);
      } catch (Exception e) {
        throw new CliException("node failed to start: " + e.getMessage(), e);
      }
      current.set(node);
      spec.commandLine().getOut().printf("Rekko node serving RESP on %s:%d, HTTP on %s:%d%n",
          config.proxy().host(), config.proxy().port(), config.admin().host(), config.admin().port());
      spec.commandLine().getOut().flush();
      CompletableFuture<Boolean> downed = node.stopped().toCompletableFuture();
      CompletableFuture.anyOf(shutdown, downed).join();
      if (shutdown.isDone()) {
        closed.await();
        return 0;
      }
      if (!downed.join()) {
        return 0;
      }
      if (config.cluster().onDowned() == ClusterSettings.OnDowned.EXIT) {
        spec.commandLine().getErr().println("rekko-node: the cluster downed this node; exiting with code "
            + DOWNED_EXIT_CODE + " (rekko.cluster.on-downed = exit)");
        return DOWNED_EXIT_CODE;
      }
      spec.commandLine().getErr().println("rekko-node: the cluster downed this node; starting a new one "
          + "(rekko.cluster.on-downed = restart)");
    }
  }

  /**
   * On end of file, exits through {@link System#exit}: the shutdown hook of {@link Main#runUntilShutdown}
   * then closes the node as Ctrl-C would, and the exit code is 0.
   */
  private static void watchStdin(InputStream in) {
    Thread watcher = new Thread(() -> {
      byte[] ignored = new byte[256];
      try {
        while (in.read(ignored) >= 0) {
          // whatever the parent writes is not for us; only the end of the stream matters
        }
      } catch (IOException e) {
        // a broken pipe means the same as end of file: the parent is gone
      }
      System.err.println("rekko-node: standard input closed (--exit-on-stdin-close): stopping");
      System.exit(0);
    }, "rekko-stdin-watch");
    watcher.setDaemon(true);
    watcher.start();
  }
}
