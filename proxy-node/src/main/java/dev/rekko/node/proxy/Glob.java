package dev.rekko.node.proxy;

/**
 * Redis's glob-style matching ({@code stringmatchlen} in util.c): {@code *}, {@code ?}, {@code [abc]},
 * {@code [^a-z]}, {@code \x}; so that the patterns the node matches itself (COMMAND LIST FILTERBY
 * PATTERN) mean what they mean to Redis.
 */
final class Glob {
  private Glob() {}

  static boolean matches(byte[] pattern, byte[] string, boolean nocase) {
    return match(pattern, 0, string, 0, nocase);
  }

  private static boolean match(byte[] p, int pi, byte[] s, int si, boolean nocase) {
    while (pi < p.length && si < s.length) {
      switch (p[pi]) {
        case '*' -> {
          while (pi + 1 < p.length && p[pi + 1] == '*') {
            pi++;
          }
          if (pi + 1 == p.length) {
            return true;
          }
          for (int k = si; k < s.length; k++) {
            if (match(p, pi + 1, s, k, nocase)) {
              return true;
            }
          }
          return false;
        }
        case '?' -> si++;
        case '[' -> {
          pi++;
          boolean not = pi < p.length && p[pi] == '^';
          if (not) {
            pi++;
          }
          boolean found = false;
          while (true) {
            if (pi < p.length && p[pi] == '\\' && pi + 1 < p.length) {
              pi++;
              found |= same(p[pi], s[si], nocase);
            } else if (pi >= p.length) {
              pi--;
              break;
            } else if (p[pi] == ']') {
              break;
            } else if (pi + 2 < p.length && p[pi + 1] == '-') {
              int start = lower(p[pi], nocase);
              int end = lower(p[pi + 2], nocase);
              int c = lower(s[si], nocase);
              if (start > end) {
                int t = start;
                start = end;
                end = t;
              }
              pi += 2;
              found |= c >= start && c <= end;
            } else {
              found |= same(p[pi], s[si], nocase);
            }
            pi++;
          }
          if (found == not) {
            return false;
          }
          si++;
        }
        case '\\' -> {
          if (pi + 1 < p.length) {
            pi++;
          }
          if (!same(p[pi], s[si], nocase)) {
            return false;
          }
          si++;
        }
        default -> {
          if (!same(p[pi], s[si], nocase)) {
            return false;
          }
          si++;
        }
      }
      pi++;
    }
    while (pi < p.length && p[pi] == '*') {
      pi++;
    }
    return pi == p.length && si == s.length;
  }

  private static boolean same(byte a, byte b, boolean nocase) {
    return nocase ? lower(a, true) == lower(b, true) : a == b;
  }

  private static int lower(byte b, boolean nocase) {
    int c = b & 0xff;
    return nocase && c >= 'A' && c <= 'Z' ? c + 32 : c;
  }
}
