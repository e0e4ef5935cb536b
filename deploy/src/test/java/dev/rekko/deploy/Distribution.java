package dev.rekko.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The distribution tarball that {@code package} built (target/rekko-VERSION.tar.gz), unpacked once per
 * test JVM into a temporary folder with {@code tar}, as an operator would.
 */
final class Distribution {
  private static Path home;

  private Distribution() {}

  static String version() {
    return System.getProperty("rekko.dist.version");
  }

  /** The unpacked rekko-VERSION/ folder. */
  static synchronized Path home() throws IOException, InterruptedException {
    if (home == null) {
      String tarball = System.getProperty("rekko.dist.tarball");
      if (tarball == null || !Files.isRegularFile(Path.of(tarball))) {
        throw new IllegalStateException("no distribution tarball at " + tarball
            + ": these tests run in the integration-test phase, after package (./mvnw verify)");
      }
      Path dir = Files.createTempDirectory(tmp(), "rekko-dist");
      Process tar = new ProcessBuilder("tar", "xzf", tarball, "-C", dir.toString())
          .redirectErrorStream(true).start();
      String out = new String(tar.getInputStream().readAllBytes());
      if (!tar.waitFor(120, TimeUnit.SECONDS) || tar.exitValue() != 0) {
        throw new IllegalStateException("tar xzf " + tarball + " failed: " + out);
      }
      home = dir.resolve("rekko-" + version());
    }
    return home;
  }

  /**
   * The build's temporary folder (target/tmp, which surefire names in java.io.tmpdir), read at each call:
   * the JDK's own temp-file default is fixed before surefire sets the property, and would be /tmp.
   */
  static Path tmp() {
    return Path.of(System.getProperty("java.io.tmpdir"));
  }

  static Path file(String relative) throws IOException, InterruptedException {
    return home().resolve(relative);
  }
}
