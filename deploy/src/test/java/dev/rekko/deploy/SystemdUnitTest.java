package dev.rekko.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The systemd unit: systemd's own checker accepts it, and it says what the operator's guide promises. */
class SystemdUnitTest {
  private static final Path SYSTEMD_ANALYZE = Path.of("/usr/bin/systemd-analyze");

  @Test
  void systemdAnalyzeVerifiesTheUnit() throws Exception {
    assumeTrue(Files.isExecutable(SYSTEMD_ANALYZE),
        "systemd-analyze is not installed (/usr/bin/systemd-analyze): the unit is not verified here");
    String unit = Files.readString(Distribution.file("systemd/rekko-node.service"));
    // verify needs ExecStart's program to exist: point it at the unpacked distribution's script.
    Path script = Distribution.file("bin/rekko-node");
    Path dir = Files.createTempDirectory(Distribution.tmp(), "systemd-unit");
    Path copy = Files.writeString(dir.resolve("rekko-node.service"),
        unit.replace("ExecStart=/opt/rekko/bin/rekko-node", "ExecStart=" + script));
    Process verify = new ProcessBuilder(SYSTEMD_ANALYZE.toString(), "verify", "--man=no", copy.toString())
        .redirectErrorStream(true).start();
    String out = new String(verify.getInputStream().readAllBytes());
    assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // Unknown or misspelt directives are only warnings (exit code 0): the output must be empty too.
    assertThat(verify.exitValue()).as(out).isZero();
    assertThat(out).isEmpty();
  }

  @Test
  void unitRunsTheNodeAsAHardenedServiceThatLeavesGracefully() throws Exception {
    List<String> lines = Files.readAllLines(Distribution.file("systemd/rekko-node.service"));
    assertThat(lines).contains("Type=exec", "User=rekko", "Restart=on-failure", "StateDirectory=rekko",
        "Environment=REKKO_DATA_DIR=/var/lib/rekko", "EnvironmentFile=-/etc/rekko/rekko.env",
        "LimitNOFILE=1048576", "SuccessExitStatus=143", "ExecStart=/opt/rekko/bin/rekko-node --config /etc/rekko/rekko.conf",
        "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes",
        "ProtectKernelTunables=yes", "ProtectKernelModules=yes", "ProtectControlGroups=yes",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "RestrictNamespaces=yes", "LockPersonality=yes",
        "SystemCallArchitectures=native", "CapabilityBoundingSet=");
    int stop = lines.stream().filter(l -> l.startsWith("TimeoutStopSec="))
        .mapToInt(l -> Integer.parseInt(l.substring("TimeoutStopSec=".length()))).findFirst().orElseThrow();
    // the node itself waits up to 60 s for its leave (RekkoNode.close)
    assertThat(stop).isGreaterThanOrEqualTo(60);
    // the JIT needs writable and executable memory
    assertThat(lines).noneMatch(l -> l.startsWith("MemoryDenyWriteExecute"));
  }
}
