package dev.rekko.protocol.resp;

import java.util.Arrays;

/**
 * Splits an inline request line into arguments the way Redis's {@code sdssplitargs} does: blanks
 * separate arguments; "double quotes" understand {@code \n \r \t \b \a \xHH} and escape any other
 * character by itself; 'single quotes' only understand {@code \'}; a closing quote must be followed
 * by a blank or the end of the line.
 *
 * <p>Redis works on C strings, so a NUL byte ends its line early; here NUL is an ordinary byte.
 */
final class InlineParser {
  private InlineParser() {}

  /**
   * Parses the inline frame {@code a[off..off+len)}, which ends with {@code '\n'}; a CR before it is
   * dropped. Returns null when the line holds no argument.
   */
  static Command parse(byte[] a, int off, int len) {
    int to = off + len - 1;
    if (to > off && a[to - 1] == '\r') {
      to--;
    }
    for (int i = off; i < to; i++) {
      if (a[i] == '"' || a[i] == '\'') {
        return splitQuoted(a, off, len, to);
      }
    }
    return splitPlain(a, off, len, to);
  }

  /** Without quotes every argument is a slice of the line itself: nothing to copy. */
  private static Command splitPlain(byte[] a, int off, int len, int to) {
    int[] argv = new int[8];
    int argc = 0;
    int p = off;
    while (true) {
      while (p < to && isSpace(a[p])) {
        p++;
      }
      if (p == to) {
        break;
      }
      int start = p;
      while (p < to && !endsToken(a[p])) {
        p++;
      }
      argv = add(argv, argc++, start - off, p - start);
      if (p < to) {
        p++;
      }
    }
    return argc == 0 ? null : new Command(a, off, len, a, off, argv, argc, true);
  }

  /** Quotes and escapes make arguments differ from their spelling, so they go to a new array. */
  private static Command splitQuoted(byte[] a, int off, int len, int to) {
    byte[] out = new byte[to - off];
    int o = 0;
    int[] argv = new int[8];
    int argc = 0;
    int p = off;
    while (true) {
      while (p < to && isSpace(a[p])) {
        p++;
      }
      if (p == to) {
        break;
      }
      int start = o;
      boolean inDouble = false;
      boolean inSingle = false;
      boolean done = false;
      while (!done) {
        if (inDouble || inSingle) {
          if (p >= to) {
            throw RespProtocolException.protocol("unbalanced quotes in request");
          }
          byte c = a[p];
          if (inDouble && c == '\\' && p + 3 < to && a[p + 1] == 'x' && isHex(a[p + 2]) && isHex(a[p + 3])) {
            out[o++] = (byte) (hex(a[p + 2]) * 16 + hex(a[p + 3]));
            p += 3;
          } else if (inDouble && c == '\\' && p + 1 < to) {
            out[o++] = unescape(a[++p]);
          } else if (inSingle && c == '\\' && p + 1 < to && a[p + 1] == '\'') {
            out[o++] = a[++p];
          } else if (inDouble ? c == '"' : c == '\'') {
            if (p + 1 < to && !isSpace(a[p + 1])) {
              throw RespProtocolException.protocol("unbalanced quotes in request");
            }
            done = true;
          } else {
            out[o++] = c;
          }
        } else if (p >= to || endsToken(a[p])) {
          done = true;
        } else if (a[p] == '"') {
          inDouble = true;
        } else if (a[p] == '\'') {
          inSingle = true;
        } else {
          out[o++] = a[p];
        }
        if (p < to) {
          p++;
        }
      }
      argv = add(argv, argc++, start, o - start);
    }
    return argc == 0 ? null : new Command(a, off, len, out, 0, argv, argc, true);
  }

  private static int[] add(int[] argv, int i, int offset, int length) {
    if (2 * i == argv.length) {
      argv = Arrays.copyOf(argv, argv.length * 2);
    }
    argv[2 * i] = offset;
    argv[2 * i + 1] = length;
    return argv;
  }

  /** C's isspace: what is skipped between arguments. */
  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
  }

  /** What ends an unquoted argument: a narrower set than isspace, as in sdssplitargs. */
  private static boolean endsToken(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  private static byte unescape(byte c) {
    return switch (c) {
      case 'n' -> '\n';
      case 'r' -> '\r';
      case 't' -> '\t';
      case 'b' -> '\b';
      case 'a' -> 0x07;
      default -> c;
    };
  }

  private static boolean isHex(byte c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
  }

  private static int hex(byte c) {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
  }
}
