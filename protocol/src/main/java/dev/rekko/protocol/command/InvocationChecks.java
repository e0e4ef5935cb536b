package dev.rekko.protocol.command;

import dev.rekko.protocol.Args;
import dev.rekko.protocol.Errors;

/**
 * Refusals of single forms of commands that Rekko otherwise serves: the form cannot work on shared,
 * pipelined backend connections, or touches keys the proxy cannot see in the arguments.
 */
final class InvocationChecks {
  /** Returns null when the invocation may proceed, else the error to answer with. */
  @FunctionalInterface
  interface Check {
    Check NONE = args -> null;

    String refusal(Args args);
  }

  private static final String SORT_PATTERN = Errors.notAllowedWith("SORT", "a BY or GET pattern");
  private static final String SORT_RO_PATTERN = Errors.notAllowedWith("SORT_RO", "a BY or GET pattern");
  private static final String COPY_DB = Errors.notAllowedWith("COPY", "DB");

  private InvocationChecks() {}

  static Check forCommand(String name) {
    return switch (name) {
      case "sort" -> args -> sortPatterns(args) ? SORT_PATTERN : null;
      case "sort_ro" -> args -> sortPatterns(args) ? SORT_RO_PATTERN : null;
      case "copy" -> args -> copiesToOtherDb(args) ? COPY_DB : null;
      default -> Check.NONE;
    };
  }

  /**
   * Whether SORT/SORT_RO has a BY or GET pattern with a '*': each element then names another key, which
   * may live in another slot (or, during a migration, still in the old group). A pattern without '*' (such
   * as {@code BY nosort} or {@code GET #}) reads no other key and is fine.
   */
  static boolean sortPatterns(Args args) {
    int argc = args.argc();
    for (int i = 2; i < argc; i++) {
      int left = argc - i - 1;
      if (args.is(i, "LIMIT") && left >= 2) {
        i += 2;
      } else if ((args.is(i, "BY") || args.is(i, "GET")) && left >= 1) {
        if (hasStar(args, i + 1)) {
          return true;
        }
        i++;
      } else if (args.is(i, "STORE") && left >= 1) {
        i++;
      }
    }
    return false;
  }

  /**
   * Whether COPY writes into another database (the DB option). Like MOVE, that puts a key into a database
   * the session never selected, which a migration walking only the databases in use would miss.
   */
  static boolean copiesToOtherDb(Args args) {
    for (int i = 3; i < args.argc() - 1; i++) {
      if (args.is(i, "DB")) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasStar(Args args, int i) {
    byte[] a = args.array(i);
    int off = args.offset(i);
    for (int k = 0; k < args.length(i); k++) {
      if (a[off + k] == '*') {
        return true;
      }
    }
    return false;
  }
}
