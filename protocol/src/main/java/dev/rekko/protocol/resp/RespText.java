package dev.rekko.protocol.resp;

/** Readable renderings of binary strings for {@code toString}s and error messages. */
final class RespText {
  private RespText() {}

  /**
   * Appends {@code a[off..off+len)} in double quotes, printable ASCII as is and everything else
   * escaped the way redis-cli prints it; beyond {@code max} bytes it is cut with "...".
   */
  static StringBuilder quote(StringBuilder sb, byte[] a, int off, int len, int max) {
    sb.append('"');
    int n = Math.min(len, max);
    for (int i = off; i < off + n; i++) {
      int c = a[i] & 0xff;
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c >= 0x20 && c < 0x7f) {
            sb.append((char) c);
          } else {
            sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
          }
        }
      }
    }
    if (n < len) {
      sb.append("...(").append(len).append(" bytes)");
    }
    return sb.append('"');
  }

  static String quote(byte[] a) {
    return quote(new StringBuilder(a.length + 2), a, 0, a.length, Integer.MAX_VALUE).toString();
  }

  /** A type byte for an error message: itself if printable, else its hex code. */
  static String typeByte(byte b) {
    int c = b & 0xff;
    return c >= 0x21 && c < 0x7f ? "'" + (char) c + "'" : String.format("0x%02x", c);
  }
}
