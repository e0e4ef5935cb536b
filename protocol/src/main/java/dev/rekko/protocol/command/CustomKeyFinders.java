package dev.rekko.protocol.command;

import dev.rekko.protocol.Args;

/**
 * Key finders for the commands whose keys Redis itself cannot describe with key specs (it marks those specs
 * unknown or incomplete, or its specs would misread an argument), each mirroring the command's parsing in
 * Redis 7.0.
 */
final class CustomKeyFinders {
  private CustomKeyFinders() {}

  /** The custom finder for {@code name}, or null when the key specs are enough. */
  static KeyFinder forCommand(String name) {
    return switch (name) {
      case "sort" -> CustomKeyFinders::sort;
      case "sort_ro" -> (args, out) -> KeyFinder.add(out, 0, 1);
      case "migrate" -> CustomKeyFinders::migrate;
      // The STREAMS keyword spec would match a group or consumer called "streams"; parse the options.
      case "xread", "xreadgroup" -> CustomKeyFinders::xread;
      default -> null;
    };
  }

  /**
   * SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination]:
   * the sorted key and the last STORE destination. Keys named by BY/GET patterns are not reported; see
   * {@link InvocationChecks#sortPatterns}.
   */
  private static int sort(Args args, int[] out) {
    int n = KeyFinder.add(out, 0, 1);
    int store = -1;
    int argc = args.argc();
    for (int i = 2; i < argc; i++) {
      int left = argc - i - 1;
      if (args.is(i, "LIMIT") && left >= 2) {
        i += 2;
      } else if ((args.is(i, "STORE") || args.is(i, "BY") || args.is(i, "GET")) && left >= 1) {
        if (args.is(i, "STORE")) {
          store = i + 1;
        }
        i++;
      }
    }
    return store < 0 ? n : KeyFinder.add(out, n, store);
  }

  /** MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS key ...]. */
  private static int migrate(Args args, int[] out) {
    int argc = args.argc();
    int first = 3;
    int num = 1;
    for (int i = 6; i < argc; i++) {
      if (args.is(i, "KEYS")) {
        // Redis rejects KEYS together with a non-empty key argument; no keys then.
        if (args.length(3) > 0) {
          num = 0;
        } else {
          first = i + 1;
          num = argc - first;
        }
        break;
      } else if (args.is(i, "AUTH")) {
        i++;
      } else if (args.is(i, "AUTH2")) {
        i += 2;
      }
    }
    int n = 0;
    for (int k = 0; k < num; k++) {
      n = KeyFinder.add(out, n, first + k);
    }
    return n;
  }

  /** XREAD/XREADGROUP [BLOCK ms] [COUNT n] [GROUP g c] [NOACK] STREAMS key ... id ...: the first half. */
  private static int xread(Args args, int[] out) {
    int streams = streamsIndex(args);
    if (streams < 0) {
      return KeyError.SYNTAX.code();
    }
    int rest = args.argc() - streams - 1;
    if (rest == 0) {
      return KeyError.SYNTAX.code();
    }
    if (rest % 2 != 0) {
      return KeyError.UNBALANCED_STREAMS.code();
    }
    int n = 0;
    for (int i = streams + 1; i <= streams + rest / 2; i++) {
      n = KeyFinder.add(out, n, i);
    }
    return n;
  }

  /** The index of the STREAMS keyword that ends XREAD's options, or -1 when the options are malformed. */
  static int streamsIndex(Args args) {
    for (int i = 1; i < args.argc(); i++) {
      if (args.is(i, "BLOCK") || args.is(i, "COUNT")) {
        i++;
      } else if (args.is(i, "GROUP")) {
        i += 2;
      } else if (args.is(i, "STREAMS")) {
        return i;
      } else if (!args.is(i, "NOACK")) {
        return -1;
      }
    }
    return -1;
  }
}
