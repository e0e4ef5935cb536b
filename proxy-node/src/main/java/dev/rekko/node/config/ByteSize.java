package dev.rekko.node.config;

import java.util.Locale;

/**
 * Memory sizes written as in {@code redis.conf}: a whole number with an optional unit, case-insensitive
 * — {@code b}, {@code k} = 1000, {@code kb} = 1024, {@code m} = 1000², {@code mb} = 1024², {@code g} =
 * 1000³, {@code gb} = 1024³ (Redis's {@code memtoull}) — so that {@code 256mb} means what it means to a
 * Redis operator.
 */
final class ByteSize {
  static final String UNITS = "a number of bytes with an optional unit b, k, kb, m, mb, g, gb (as in redis.conf)";

  private ByteSize() {}

  /** The size, or -1 when {@code text} is not one. */
  static long parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      i++;
    }
    if (i == 0 || i > 18) {
      return -1;
    }
    long n = Long.parseLong(s.substring(0, i));
    long unit = switch (s.substring(i).trim()) {
      case "", "b" -> 1;
      case "k" -> 1000;
      case "kb" -> 1024;
      case "m" -> 1000 * 1000;
      case "mb" -> 1024 * 1024;
      case "g" -> 1000L * 1000 * 1000;
      case "gb" -> 1024L * 1024 * 1024;
      default -> -1;
    };
    if (unit < 0 || n > Long.MAX_VALUE / unit) {
      return -1;
    }
    return n * unit;
  }

  /** A size, or a percentage of {@code whole} such as {@code 25%}; -1 when neither. */
  static long parseOrPercent(String text, long whole) {
    String s = text.trim();
    if (s.endsWith("%")) {
      String number = s.substring(0, s.length() - 1).trim();
      if (number.isEmpty() || number.length() > 3 || !number.chars().allMatch(Character::isDigit)) {
        return -1;
      }
      int percent = Integer.parseInt(number);
      return percent > 100 ? -1 : whole / 100 * percent;
    }
    return parse(s);
  }
}
