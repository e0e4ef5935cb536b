package dev.rekko.protocol.command;

import dev.rekko.protocol.Args;

/**
 * Finds the argument indexes of the keys of one invocation. Implementations allocate nothing: they write
 * at most {@code out.length} indexes, return how many keys there are (which may exceed {@code out.length};
 * the caller then retries with a larger array), or a negative {@link KeyError#code()}.
 */
@FunctionalInterface
interface KeyFinder {
  KeyFinder NONE = (args, out) -> 0;

  int find(Args args, int[] out);

  /** Stores {@code index} at position {@code n} when it fits; returns the new count. */
  static int add(int[] out, int n, int index) {
    if (n < out.length) {
      out[n] = index;
    }
    return n + 1;
  }

  /**
   * Whether argument {@code i} is an integer as Redis's {@code string2ll} accepts it: an optional '-',
   * no leading zeros, no '+', no spaces, within a signed 64-bit range.
   */
  static boolean isInteger(Args args, int i) {
    byte[] a = args.array(i);
    int p = args.offset(i);
    int len = args.length(i);
    if (len == 1 && a[p] == '0') {
      return true;
    }
    boolean negative = len > 0 && a[p] == '-';
    int start = negative ? p + 1 : p;
    int end = p + len;
    if (start >= end || a[start] < '1' || a[start] > '9') {
      return false;
    }
    // Accumulate as a negative number so that Long.MIN_VALUE fits.
    long v = 0;
    for (int k = start; k < end; k++) {
      int d = a[k] - '0';
      if (d < 0 || d > 9 || v < (Long.MIN_VALUE + d) / 10) {
        return false;
      }
      v = v * 10 - d;
    }
    return negative || v != Long.MIN_VALUE;
  }

  /** Argument {@code i} as a long; call only when {@link #isInteger} holds. */
  static long parseLong(Args args, int i) {
    byte[] a = args.array(i);
    int p = args.offset(i);
    int end = p + args.length(i);
    boolean negative = a[p] == '-';
    long v = 0;
    for (int k = negative ? p + 1 : p; k < end; k++) {
      v = v * 10 - (a[k] - '0');
    }
    return negative ? v : -v;
  }
}
