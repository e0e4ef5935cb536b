package dev.rekko.node;

import dev.rekko.node.config.NodeConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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

  @Override
  public Integer call() throws Exception {
    NodeConfig config = options.load();
    NodeLauncher launcher = main.launcher();
    AutoCloseable node;
    try {
      node = launcher.start(config);
    } catch (Exception e) {
      throw new CliException("node failed to start: " + e.getMessage(), e);
    }
    spec.commandLine().getOut().printf("Rekko node serving RESP on %s:%d, HTTP on %s:%d%n",
        config.proxy().host(), config.proxy().port(), config.admin().host(), config.admin().port());
    spec.commandLine().getOut().flush();
    Main.runUntilShutdown(node, "the node");
    return 0;
  }
}
