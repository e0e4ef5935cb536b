package dev.rekko.redis.admin;

import java.util.Arrays;

/**
 * A Redis version such as {@code 7.0.15}, compared number by number. Rekko needs 6.2 or newer, and refuses
 * to migrate from a newer server to an older one (an older Redis cannot read a newer DUMP payload).
 */
public record RedisVersion(int major, int minor, int patch) implements Comparable<RedisVersion> {
  public static final RedisVersion MINIMUM = new RedisVersion(6, 2, 0);

  public RedisVersion {
    if (major < 0 || minor < 0 || patch < 0) {
      throw new IllegalArgumentException("negative version number");
    }
  }

  /**
   * Parses {@code major[.minor[.patch]]}; a suffix after the numbers ({@code 7.2.4-rc1}) is ignored.
   *
   * @throws IllegalArgumentException when it does not start with a number
   */
  public static RedisVersion parse(String text) {
    String s = text == null ? "" : text.strip();
    int[] parts = new int[3];
    int i = 0;
    int part = 0;
    boolean digits = false;
    while (i < s.length() && part < 3) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        parts[part] = Math.addExact(Math.multiplyExact(parts[part], 10), c - '0');
        digits = true;
      } else if (c == '.' && digits) {
        part++;
        digits = false;
      } else {
        break;
      }
      i++;
    }
    if (part == 0 && !digits) {
      throw new IllegalArgumentException("not a Redis version: '" + text + "'");
    }
    return new RedisVersion(parts[0], parts[1], parts[2]);
  }

  public boolean isAtLeast(RedisVersion other) {
    return compareTo(other) >= 0;
  }

  @Override
  public int compareTo(RedisVersion o) {
    return Arrays.compare(new int[] {major, minor, patch}, new int[] {o.major, o.minor, o.patch});
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
