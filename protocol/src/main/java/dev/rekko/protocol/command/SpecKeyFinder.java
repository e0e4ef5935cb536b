package dev.rekko.protocol.command;

import dev.rekko.protocol.Args;
import java.util.List;
import java.util.Locale;

/**
 * Finds keys by interpreting a command's key specs the way Redis 7.0's {@code getKeysUsingKeySpecs} does,
 * with two deliberate differences: a keyword or range that falls outside the arguments is skipped rather
 * than failing the whole command (the backend then reports its own syntax error), and an invalid numkeys
 * is reported as a {@link KeyError} so the proxy can answer with the command's own error text.
 */
final class SpecKeyFinder implements KeyFinder {
  private final KeySpec[] specs;
  private final NumKeysRule rule;

  SpecKeyFinder(List<KeySpec> specs, NumKeysRule rule) {
    this.specs = specs.stream().filter(s -> !s.has(KeySpec.Flag.NOT_KEY)).toArray(KeySpec[]::new);
    this.rule = rule;
    for (KeySpec s : this.specs) {
      if (s.begin() instanceof KeySpec.UnknownBegin || s.find() instanceof KeySpec.UnknownFind) {
        throw new IllegalArgumentException("a spec of unknown shape needs a custom key finder");
      }
      if (s.begin() instanceof KeySpec.Keyword k
          && !k.keyword().equals(k.keyword().toUpperCase(Locale.ROOT))) {
        throw new IllegalArgumentException("keywords are matched in upper case: " + k.keyword());
      }
      if (s.find() instanceof KeySpec.Keynum && rule == null) {
        throw new IllegalArgumentException("a numkeys spec needs a NumKeysRule");
      }
    }
  }

  @Override
  public int find(Args args, int[] out) {
    int argc = args.argc();
    int n = 0;
    for (KeySpec spec : specs) {
      int first;
      if (spec.begin() instanceof KeySpec.Index index) {
        first = index.pos();
      } else {
        first = afterKeyword(args, (KeySpec.Keyword) spec.begin());
        if (first == 0) {
          continue;
        }
      }
      int last;
      int step;
      if (spec.find() instanceof KeySpec.Range range) {
        step = range.step();
        if (range.lastKey() >= 0) {
          last = first + range.lastKey();
        } else if (range.limit() == 0) {
          last = argc + range.lastKey();
        } else {
          last = first + ((argc - first) / range.limit() + range.lastKey());
        }
      } else {
        KeySpec.Keynum keynum = (KeySpec.Keynum) spec.find();
        int numIdx = first + keynum.keynumIdx();
        if (numIdx >= argc) {
          return KeyError.SYNTAX.code();
        }
        if (!KeyFinder.isInteger(args, numIdx)) {
          return KeyError.NUMKEYS_NOT_INTEGER.code();
        }
        long num = KeyFinder.parseLong(args, numIdx);
        if (num < 0) {
          return KeyError.NUMKEYS_NEGATIVE.code();
        }
        if (num == 0) {
          if (rule.zero() != null) {
            return KeyError.NUMKEYS_ZERO.code();
          }
          continue;
        }
        step = keynum.step();
        first += keynum.firstKey();
        if (num > argc || first + num - 1 > argc - 1 - rule.trailing()) {
          return KeyError.NUMKEYS_TOO_MANY.code();
        }
        last = first + (int) num - 1;
      }
      if (last >= argc || last < first || first >= argc) {
        continue;
      }
      for (int i = first; i <= last; i += step) {
        n = KeyFinder.add(out, n, i);
      }
    }
    return n;
  }

  /**
   * The index after {@code keyword}, or 0 when absent. Searches exactly as Redis does, including its
   * quirk of never examining the end index (the last argument, or argument 1 when searching backwards),
   * where a keyword could not be followed by a key anyway.
   */
  static int afterKeyword(Args args, KeySpec.Keyword keyword) {
    int argc = args.argc();
    int start = keyword.startFrom() > 0 ? keyword.startFrom() : argc + keyword.startFrom();
    int end = keyword.startFrom() > 0 ? argc - 1 : 1;
    for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
      if (i >= argc || i < 1) {
        break;
      }
      if (args.is(i, keyword.keyword())) {
        return i + 1;
      }
    }
    return 0;
  }
}
