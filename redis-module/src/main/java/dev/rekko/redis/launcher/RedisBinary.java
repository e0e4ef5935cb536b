package dev.rekko.redis.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which {@code redis-server} to run. In order: an explicit setting (system property
 * {@value #PROPERTY}, else environment variable {@value #ENV}); the Redis {@value #BUNDLED_VERSION}
 * binary shipped in the {@code org.signal:embedded-redis} jar for this OS and CPU; {@code redis-server}
 * from the PATH. The bundled binary comes first so that every machine runs the same Redis — MIGRATE
 * between different major versions fails, so all servers of one test or demo must share a binary.
 */
public record RedisBinary(Path path, String version, String source) {
  public static final String PROPERTY = "rekko.redis.binary";
  public static final String ENV = "REKKO_REDIS_BINARY";
  public static final String BUNDLED_VERSION = "7.0.15";

  private static final Pattern VERSION = Pattern.compile("v=(\\d+\\.\\d+\\.\\d+)");
  private static volatile RedisBinary defaultBinary;

  public RedisBinary {
    Objects.requireNonNull(path, "path");
  }

  /** The binary chosen by the rules above; resolved once per JVM. */
  public static RedisBinary resolve() {
    RedisBinary b = defaultBinary;
    if (b == null) {
      synchronized (RedisBinary.class) {
        b = defaultBinary;
        if (b == null) {
          b = resolveNow(System.getProperty(PROPERTY), System.getenv(ENV));
          defaultBinary = b;
        }
      }
    }
    return b;
  }

  static RedisBinary resolveNow(String property, String env) {
    String explicit = property != null && !property.isBlank() ? property : env;
    if (explicit != null && !explicit.isBlank()) {
      return of(Path.of(explicit.trim()), "setting");
    }
    String resource = bundledResourceName();
    if (resource != null && RedisBinary.class.getClassLoader().getResource(resource) != null) {
      return new RedisBinary(extractBundled(resource), BUNDLED_VERSION, "bundled");
    }
    Path onPath = findOnPath("redis-server");
    if (onPath != null) {
      RedisBinary b = of(onPath, "PATH");
      if (compareVersions(b.version(), "6.2.0") < 0) {
        throw new IllegalStateException("redis-server on the PATH is " + b.version()
            + "; Rekko needs Redis 6.2 or newer (or set " + PROPERTY + " / " + ENV + ")");
      }
      return b;
    }
    throw new IllegalStateException("No redis-server found: no bundled binary for "
        + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
        + ", none on the PATH; set " + PROPERTY + " or " + ENV);
  }

  /** A binary at an explicit path; its version is read from {@code --version}. */
  public static RedisBinary of(Path path, String source) {
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException("redis-server binary " + path + " does not exist or is not executable");
    }
    return new RedisBinary(path.toAbsolutePath(), readVersion(path), source);
  }

  /** The major.minor.patch version as an int triple compared lexicographically. */
  public static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int xi = i < x.length ? Integer.parseInt(x[i]) : 0;
      int yi = i < y.length ? Integer.parseInt(y[i]) : 0;
      if (xi != yi) {
        return Integer.compare(xi, yi);
      }
    }
    return 0;
  }

  static String bundledResourceName() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String osPart = os.contains("linux") ? "linux" : os.contains("mac") || os.contains("darwin") ? "darwin" : null;
    String archPart = switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i686" -> "linux".equals(osPart) ? "386" : null;
      default -> null;
    };
    if (osPart == null || archPart == null) {
      return null;
    }
    return "redis-server-" + BUNDLED_VERSION + "-" + osPart + "-" + archPart;
  }

  /**
   * Extracts once per user into a cache folder; a temp name plus an atomic move keeps concurrent JVMs
   * (parallel test forks, several demo nodes) from seeing a half-written file.
   */
  private static Path extractBundled(String resource) {
    Path dir = cacheDir();
    Path target = dir.resolve(resource);
    try (InputStream in = RedisBinary.class.getClassLoader().getResourceAsStream(resource)) {
      byte[] bytes = Objects.requireNonNull(in, resource).readAllBytes();
      if (Files.isExecutable(target) && Files.size(target) == bytes.length) {
        return target;
      }
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, resource, ".part");
      Files.write(tmp, bytes);
      if (!tmp.toFile().setExecutable(true, false)) {
        throw new IOException("cannot mark " + tmp + " executable");
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      return target;
    } catch (IOException e) {
      throw new IllegalStateException("cannot extract bundled " + resource + " to " + dir + ": " + e, e);
    }
  }

  private static Path cacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    String home = System.getProperty("user.home");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "rekko");
    }
    if (home != null && Files.isWritable(Path.of(home))) {
      return Path.of(home, ".cache", "rekko");
    }
    return Path.of(System.getProperty("java.io.tmpdir"), "rekko-cache");
  }

  private static Path findOnPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static String readVersion(Path binary) {
    try {
      Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      Matcher m = VERSION.matcher(out);
      if (!m.find()) {
        throw new IllegalStateException(binary + " --version printed no version: " + out.strip());
      }
      return m.group(1);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + binary + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the version of " + binary, e);
    }
  }
}
