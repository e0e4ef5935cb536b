package dev.rekko.protocol.resp;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link RespValue} tree from one complete frame that {@link ReplyDecoder} has already
 * validated, which is why it checks nothing. Also holds the grammar of RESP3's typed lines, which
 * the decoder validates with.
 */
final class ValueReader {
  /** Counts come from the wire; trust them only this far when sizing lists. */
  private static final int PREALLOCATED_ELEMENTS = 1024;

  private final byte[] a;
  private int p;

  ValueReader(byte[] a, int p) {
    this.a = a;
    this.p = p;
  }

  RespValue read() {
    byte type = a[p++];
    switch (type) {
      case '+':
        return new RespValue.SimpleString(utf8(lineEnd()));
      case '-':
        return new RespValue.Error(utf8(lineEnd()));
      case ':':
        return new RespValue.Integer(number());
      case '_':
        p += 2;
        return new RespValue.Null();
      case '#': {
        boolean v = a[p] == 't';
        p += 3;
        return new RespValue.Boolean(v);
      }
      case ',':
        return new RespValue.Double(parseDouble(ascii(lineEnd())));
      case '(':
        return new RespValue.BigNumber(new BigInteger(ascii(lineEnd())));
      case '$': {
        long n = number();
        return n < 0 ? new RespValue.NullBulk() : new RespValue.BulkString(payload((int) n));
      }
      case '!':
        return new RespValue.BulkError(payload((int) number()));
      case '=': {
        byte[] all = payload((int) number());
        return new RespValue.Verbatim(new String(all, 0, 3, StandardCharsets.ISO_8859_1),
            java.util.Arrays.copyOfRange(all, 4, all.length));
      }
      case '*': {
        long n = number();
        return n < 0 ? new RespValue.NullArray() : new RespValue.Array(list(n));
      }
      case '~':
        return new RespValue.Set(list(number()));
      case '>':
        return new RespValue.Push(list(number()));
      case '%':
        return new RespValue.Map(entries(number()));
      case '|': {
        List<Map.Entry<RespValue, RespValue>> attributes = entries(number());
        return new RespValue.Attribute(attributes, read());
      }
      default:
        throw new IllegalStateException("not a validated frame: type " + RespText.typeByte(type));
    }
  }

  private List<RespValue> list(long n) {
    List<RespValue> out = new ArrayList<>((int) Math.min(n, PREALLOCATED_ELEMENTS));
    for (long i = 0; i < n; i++) {
      out.add(read());
    }
    return out;
  }

  private List<Map.Entry<RespValue, RespValue>> entries(long n) {
    List<Map.Entry<RespValue, RespValue>> out = new ArrayList<>((int) Math.min(n, PREALLOCATED_ELEMENTS));
    for (long i = 0; i < n; i++) {
      RespValue key = read();
      out.add(Map.entry(key, read()));
    }
    return out;
  }

  /** Index of the CRLF ending the line at {@code p}; a lone CR may occur in simple strings. */
  private int lineEnd() {
    int i = p;
    while (a[i] != '\r' || a[i + 1] != '\n') {
      i++;
    }
    return i;
  }

  private String utf8(int to) {
    String s = new String(a, p, to - p, StandardCharsets.UTF_8);
    p = to + 2;
    return s;
  }

  private String ascii(int to) {
    String s = new String(a, p, to - p, StandardCharsets.ISO_8859_1);
    p = to + 2;
    return s;
  }

  private long number() {
    int to = lineEnd();
    boolean negative = a[p] == '-';
    long v = 0;
    for (int i = negative ? p + 1 : p; i < to; i++) {
      v = v * 10 - (a[i] - '0');
    }
    p = to + 2;
    return negative ? v : -v;
  }

  private byte[] payload(int n) {
    byte[] out = java.util.Arrays.copyOfRange(a, p, p + n);
    p += n + 2;
    return out;
  }

  private static double parseDouble(String s) {
    String unsigned = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
    if (unsigned.equals("nan")) {
      return java.lang.Double.NaN;
    }
    if (unsigned.equals("inf")) {
      return s.startsWith("-") ? java.lang.Double.NEGATIVE_INFINITY : java.lang.Double.POSITIVE_INFINITY;
    }
    return java.lang.Double.parseDouble(s);
  }

  /** RESP3 double: {@code [+-](inf|nan|digits[.digits][(e|E)[+-]digits])}, a dot alone not a number. */
  static boolean isDouble(byte[] a, int from, int to) {
    int p = from;
    if (p < to && (a[p] == '+' || a[p] == '-')) {
      p++;
    }
    if (to - p == 3 && (is(a, p, "inf") || is(a, p, "nan"))) {
      return true;
    }
    int digits = 0;
    while (p < to && isDigit(a[p])) {
      p++;
      digits++;
    }
    if (p < to && a[p] == '.') {
      p++;
      while (p < to && isDigit(a[p])) {
        p++;
        digits++;
      }
    }
    if (digits == 0) {
      return false;
    }
    if (p < to && (a[p] == 'e' || a[p] == 'E')) {
      p++;
      if (p < to && (a[p] == '+' || a[p] == '-')) {
        p++;
      }
      int exponent = 0;
      while (p < to && isDigit(a[p])) {
        p++;
        exponent++;
      }
      if (exponent == 0) {
        return false;
      }
    }
    return p == to;
  }

  /** RESP3 big number: {@code [+-]digits}. */
  static boolean isBigNumber(byte[] a, int from, int to) {
    int p = from < to && (a[from] == '+' || a[from] == '-') ? from + 1 : from;
    if (p == to) {
      return false;
    }
    for (; p < to; p++) {
      if (!isDigit(a[p])) {
        return false;
      }
    }
    return true;
  }

  private static boolean is(byte[] a, int p, String word) {
    for (int i = 0; i < word.length(); i++) {
      if (a[p + i] != word.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }
}
