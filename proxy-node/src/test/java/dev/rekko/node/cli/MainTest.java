package dev.rekko.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.Main;
import dev.rekko.node.config.NodeConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line run in-process with picocli, as {@code java -jar rekko-node.jar ...} would. */
class MainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** Refuses to start a node: these tests never get that far, or check what reached the start. */
  private static final Main.NodeStart NO_NODE = config -> {
    throw new AssertionError("no node should start here");
  };

  private int run(Main.NodeStart nodeStart, String... args) {
    CommandLine cl = Main.commandLine(nodeStart);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void helpListsTheCommands() {
    assertThat(run(NO_NODE, "--help")).isZero();
    assertThat(out.toString())
        .contains("Usage: rekko-node.jar", "--version")
        .containsPattern("(?m)^\\s+node\\s+Starts one Rekko node: RESP proxy and HTTP API")
        .containsPattern("(?m)^\\s+demo\\s+Starts local Redis groups and a Rekko cluster");
  }

  @Test
  void commandHelpShowsItsOptions() {
    assertThat(run(NO_NODE, "node", "--help")).isZero();
    assertThat(out.toString()).contains("--config=FILE", "-D=KEY=VALUE");
    assertThat(run(NO_NODE, "demo", "--help")).isZero();
    assertThat(out.toString()).contains("--nodes=N", "--groups=G", "--replicas=R", "--base-port=PORT",
        "--cluster-base-port=PORT", "(default 3)", "(default 2551)");
  }

  @Test
  void theNodesStdinOptionIsForTheDemoOnly() {
    assertThat(run(NO_NODE, "node", "--help")).isZero();
    assertThat(out.toString()).doesNotContain("stdin");
  }

  @Test
  void versionNamesRekkoAndPekko() {
    assertThat(run(NO_NODE, "--version")).isZero();
    assertThat(out.toString()).startsWith("rekko-node ").contains("Apache Pekko 1.7.0");
  }

  @Test
  void noCommandIsAUsageError() {
    assertThat(run(NO_NODE)).isEqualTo(2);
    assertThat(err.toString()).contains("Missing command: node or demo");
  }

  @Test
  void nodeWithBadSettingsNamesTheKey() {
    assertThat(run(NO_NODE, "node", "-D", "rekko.proxy.port=99999")).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("Invalid configuration: rekko.proxy.port: 99999 is out of range, must be 0..65535");
  }

  @Test
  void nodeStartsTheNodeWithTheConfig() {
    AtomicReference<NodeConfig> seen = new AtomicReference<>();
    Main.NodeStart refusing = config -> {
      seen.set(config);
      throw new IllegalStateException("port already in use");
    };
    int code = run(refusing, "node", "-Drekko.proxy.port=19555", "-D", "rekko.bootstrap.groups=1=h:1");
    assertThat(code).isEqualTo(1);
    assertThat(seen.get().proxy().port()).isEqualTo(19555);
    assertThat(seen.get().bootstrapGroups()).hasSize(1);
    assertThat(err.toString()).startsWith("node failed to start: port already in use");
  }

  @Test
  void demoRejectsNonsenseCounts() {
    assertThat(run(NO_NODE, "demo", "--groups", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--groups must be at least 1");
  }
}
