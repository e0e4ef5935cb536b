package dev.rekko.node.proxy;

import dev.rekko.protocol.Args;
import java.util.regex.Pattern;

/**
 * Where a blocking command keeps its timeout, and what it is: seconds as a decimal (BLPOP … 0.5) or, for
 * XREAD/XREADGROUP's {@code BLOCK}, milliseconds. A re-issued command gets the time left written there.
 */
final class BlockingTimeouts {
  /** The decimal forms Redis's {@code strtold} takes and Rekko rewrites; anything else goes as it came. */
  private static final Pattern DECIMAL = Pattern.compile("\\+?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  private BlockingTimeouts() {}

  /** The timeout's position in a blocking list/zset command of {@code argc} arguments. */
  static int timeoutArg(String name, int argc) {
    return switch (name) {
      case "brpoplpush" -> 3;
      case "blmove" -> 5;
      case "blmpop", "bzmpop" -> 1;
      default -> argc - 1;
    };
  }

  /** The argument after XREAD's/XREADGROUP's {@code BLOCK} among the options before STREAMS, or -1. */
  static int blockArg(Args args) {
    for (int i = 1; i < args.argc() - 1; i++) {
      if (args.is(i, "BLOCK")) {
        return i + 1;
      } else if (args.is(i, "COUNT")) {
        i++;
      } else if (args.is(i, "GROUP")) {
        i += 2;
      } else if (args.is(i, "STREAMS")) {
        return -1;
      }
    }
    return -1;
  }

  /**
   * The timeout in nanoseconds (0 = block forever), rounded to milliseconds as Redis does; -1 when Rekko
   * does not read it (not a number, negative): Redis then answers the error itself.
   */
  static long nanos(Args args, int arg, boolean millis) {
    String text = args.string(arg);
    try {
      if (millis) {
        long ms = Long.parseLong(text);
        return ms < 0 || ms > Long.MAX_VALUE / 4_000_000 ? -1 : ms * 1_000_000;
      }
      if (!DECIMAL.matcher(text).matches()) {
        return -1;
      }
      double seconds = Double.parseDouble(text);
      long ms = (long) (seconds * 1000.0);
      return ms < 0 || ms > Long.MAX_VALUE / 4_000_000 ? -1 : ms * 1_000_000;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
