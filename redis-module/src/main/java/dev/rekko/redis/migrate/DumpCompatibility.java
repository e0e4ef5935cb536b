package dev.rekko.redis.migrate;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether keys can MIGRATE from one Redis version to another. MIGRATE carries DUMP payloads, which
 * carry the source's RDB format version, and a server refuses a payload newer than its own format
 * ("DUMP payload version or checksum are wrong"): 6.2 → 7.0 works, 7.0 → 6.2 does not, and neither
 * does 7.2 → 7.0. Versions sharing a format (5.0 … 6.2, or 7.4 … 8.4) move freely both ways.
 *
 * <p>Versions newer than this table are assumed to have a newer format than every older version, so
 * for them the rule falls back to "the target must be at least as new (major.minor) as the source".
 */
public final class DumpCompatibility {
  private static final Pattern VERSION = Pattern.compile("^\\s*v?(\\d+)\\.(\\d+)(?:\\.\\d+)?.*$");

  /** {major.minor from which on, RDB version}, newest first; each row holds until the next newer one. */
  private static final int[][] RDB_VERSIONS = {
      {806, 13}, {704, 12}, {702, 11}, {700, 10}, {500, 9}, {400, 8}, {302, 7}, {206, 6},
  };
  /** The newest major.minor this table knows to be the last of its format. */
  private static final int KNOWN_UP_TO = 806;

  private DumpCompatibility() {}

  /**
   * Refuses a move whose target cannot read the source's DUMP payloads.
   *
   * @param sourceVersion as INFO's {@code redis_version}, e.g. {@code 7.0.15}
   * @throws IllegalArgumentException when the target cannot restore what the source dumps, or a
   *     version cannot be read; the message says why
   */
  public static void check(String sourceVersion, String targetVersion) {
    reason(sourceVersion, targetVersion).ifPresent(r -> {
      throw new IllegalArgumentException(r);
    });
  }

  /** Why keys cannot move from {@code sourceVersion} to {@code targetVersion}, or empty when they can. */
  public static Optional<String> reason(String sourceVersion, String targetVersion) {
    int source = majorMinor(sourceVersion);
    int target = majorMinor(targetVersion);
    boolean compatible;
    if (source <= KNOWN_UP_TO && target <= KNOWN_UP_TO) {
      compatible = rdbVersion(source) <= rdbVersion(target);
    } else {
      compatible = target >= source;
    }
    if (compatible) {
      return Optional.empty();
    }
    return Optional.of("cannot move keys from Redis " + sourceVersion.strip() + " to Redis "
        + targetVersion.strip() + ": a DUMP payload of Redis " + name(source) + " cannot be restored by "
        + name(target) + " (MIGRATE would fail with 'DUMP payload version or checksum are wrong'); "
        + "upgrade the target first");
  }

  /** The RDB format version a Redis {@code major.minor} writes, or -1 for versions older than 2.6. */
  static int rdbVersion(int majorMinor) {
    for (int[] row : RDB_VERSIONS) {
      if (majorMinor >= row[0]) {
        return row[1];
      }
    }
    return -1;
  }

  /** {@code 7.0.15} → 700. */
  static int majorMinor(String version) {
    Matcher m = VERSION.matcher(version == null ? "" : version);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a Redis version: '" + version + "'");
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    if (minor > 99) {
      throw new IllegalArgumentException("not a Redis version: '" + version + "'");
    }
    return major * 100 + minor;
  }

  private static String name(int majorMinor) {
    return majorMinor / 100 + "." + majorMinor % 100;
  }
}
