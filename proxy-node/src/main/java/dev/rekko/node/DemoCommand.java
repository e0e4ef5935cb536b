package dev.rekko.node;

import com.typesafe.config.ConfigFactory;
import dev.rekko.node.demo.NodeProcess;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code demo}: local Redis groups and a cluster of nodes on them, until Ctrl-C or SIGTERM. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    header = "Starts local Redis groups and a Rekko cluster on them, to try Rekko out.",
    description = {
        "Starts G local Redis groups (a master and R replicas each) and N Rekko nodes, each its own "
            + "JVM, that form one cluster and spread the 1024 slots evenly over the groups; prints a "
            + "line starting with READY once every node serves, and stops everything on Ctrl-C or "
            + "SIGTERM. Node i's output goes to node-i.log in the demo's temporary folder. Needs "
            + "nothing but a JDK: a Redis 7.0 binary ships in the jar (or set rekko.redis.binary). "
            + "With --tls each node also serves client TLS on its RESP port + 100, with certificates "
            + "of a throw-away CA made in the demo's folder; READY then names the TLS ports and the CA "
            + "file (redis-cli --tls --cacert CA -p 19100)."})
final class DemoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions options;

  @Option(names = "--nodes", defaultValue = "3", paramLabel = "N",
      description = "Rekko nodes to start, each a JVM (default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--groups", defaultValue = "2", paramLabel = "G",
      description = "Redis groups (default ${DEFAULT-VALUE}).")
  int groups;

  @Option(names = "--replicas", defaultValue = "1", paramLabel = "R",
      description = "Replicas per group (default ${DEFAULT-VALUE}).")
  int replicas;

  @Option(names = "--base-port", defaultValue = "19000", paramLabel = "PORT",
      description = "RESP port of node 0; node i uses PORT+i (default ${DEFAULT-VALUE}).")
  int basePort;

  @Option(names = "--admin-base-port", defaultValue = "11080", paramLabel = "PORT",
      description = "HTTP port of node 0; node i uses PORT+i (default ${DEFAULT-VALUE}).")
  int adminBasePort;

  @Option(names = "--cluster-base-port", defaultValue = "2551", paramLabel = "PORT",
      description = "Cluster (Artery) port of node 0, the seed node; node i uses PORT+i "
          + "(default ${DEFAULT-VALUE}).")
  int clusterBasePort;

  @Option(names = "--tls",
      description = "Also serve client TLS: node i on --base-port + 100 + i, with a throw-away CA and "
          + "certificates made in the demo's folder (tls/ca.crt, node-i.crt, client.crt).")
  boolean tls;

  @Option(names = "--ready-timeout", defaultValue = "120s", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long the nodes may take to form the cluster and serve (default ${DEFAULT-VALUE}).")
  Duration readyTimeout;

  @Override
  public Integer call() throws Exception {
    if (nodes < 1 || groups < 1 || replicas < 0) {
      throw new ParameterException(spec.commandLine(),
          "--nodes and --groups must be at least 1, --replicas at least 0");
    }
    if (tls && basePort + Demo.TLS_PORT_OFFSET + nodes - 1 > 65535) {
      throw new ParameterException(spec.commandLine(), "--tls: node " + (nodes - 1) + "'s TLS port "
          + (basePort + Demo.TLS_PORT_OFFSET + nodes - 1) + " is beyond 65535; choose a lower --base-port");
    }
    Demo demo = Demo.start(new Demo.Options(nodes, groups, replicas, basePort, adminBasePort, clusterBasePort,
        options.file(), options.overrides, readyTimeout, tls), NodeProcess::start);
    spec.commandLine().getOut().println(demo.readyLine());
    spec.commandLine().getOut().flush();
    Main.runUntilShutdown(demo, "the demo");
    return 0;
  }

  /** Accepts HOCON-style durations: 500ms, 30s, 2m. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return ConfigFactory.parseString("d = " + value).getDuration("d");
    }
  }
}
