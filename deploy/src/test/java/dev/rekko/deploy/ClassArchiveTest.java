package dev.rekko.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code REKKO_CDS} (on unless set to off): the first run of {@code bin/rekko-node} writes a class-data
 * archive into the data folder as the JVM exits, the next runs load their classes from it, and a jar or
 * Java other than the one it was made for gets a new one (the JVM would ignore the old). A folder that
 * cannot be written, or {@code off}, means no archive. {@code --help} stands in for a node: the script's
 * part is the same, and it loads enough classes to tell.
 */
class ClassArchiveTest {

  @Test
  void theFirstRunWritesTheArchiveAndTheNextLoadsFromIt() throws Exception {
    Path data = Files.createTempDirectory(Distribution.tmp(), "cds");
    Path archives = data.resolve("class-archive");

    // On by default.
    String first = help(Map.of("REKKO_DATA_DIR", data.toString()));
    assertThat(first).contains("Usage: rekko-node.jar node").doesNotContain("[cds]").doesNotContain("warning");
    List<Path> made = list(archives);
    assertThat(made).singleElement().satisfies(a -> assertThat(a.getFileName().toString()).matches("rekko-node-.+\\.jsa"));

    String second = help(Map.of("REKKO_CDS", "on", "REKKO_DATA_DIR", data.toString(),
        "REKKO_JAVA_OPTS", "-Xlog:class+load=info"));
    assertThat(second).contains("dev.rekko.node.Main source: shared objects file (top)");
    assertThat(list(archives)).isEqualTo(made);

    // An archive of another jar or Java (its name differs) is replaced, not kept beside the new one.
    Path stale = archives.resolve("rekko-node-1-2-3.jsa");
    Files.move(made.get(0), stale);
    help(Map.of("REKKO_CDS", "on", "REKKO_DATA_DIR", data.toString()));
    assertThat(list(archives)).isEqualTo(made);
  }

  @Test
  void offWhenAskedOrWhenTheFolderCannotBeWritten() throws Exception {
    Path data = Files.createTempDirectory(Distribution.tmp(), "cds-off");
    String off = help(Map.of("REKKO_CDS", "off", "REKKO_DATA_DIR", data.toString(),
        "REKKO_JAVA_OPTS", "-Xlog:class+load=info"));
    assertThat(off).contains("Usage: rekko-node.jar node").doesNotContain("shared objects file (top)");
    assertThat(data.resolve("class-archive")).doesNotExist();

    // Not even root can make a folder under /proc: the node starts, without an archive, and says why.
    String unwritable = help(Map.of("REKKO_DATA_DIR", data.toString(), "REKKO_CDS_DIR", "/proc/rekko-cds"));
    assertThat(unwritable).contains("rekko-node: /proc/rekko-cds cannot be written: starting without a class-data archive")
        .contains("Usage: rekko-node.jar node");
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }

  /** {@code bin/rekko-node --help} with exactly these REKKO_* variables; its output. */
  private static String help(Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Distribution.file("bin/rekko-node").toString(), "--help")
        .redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("REKKO_") || k.equals("JAVA_TOOL_OPTIONS"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("REKKO_HEAP", "64m");
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("exited: %s", out).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
