package dev.rekko.redis.pubsub;

import dev.rekko.protocol.resp.Reply;
import java.nio.charset.StandardCharsets;

/**
 * Reads the leading bulk strings of a pub/sub frame ({@code *3 $7 message $2 ch $5 hello}) in place,
 * without building a value tree: a message's payload is never copied here, only the frame is, once,
 * for its subscribers. The decoder already validated the frame, so only its shape is checked.
 */
final class PushFrames {
  private PushFrames() {}

  /**
   * Offsets and lengths ({@code [off0, len0, off1, len1 …]}) of the first {@code count} elements of an
   * array or push frame, or null when it is not one whose first {@code count} elements are bulk strings.
   */
  static int[] bulks(Reply r, int count) {
    byte[] a = r.frameArray();
    int pos = r.frameOffset();
    if (a[pos] != '*' && a[pos] != '>') {
      return null;
    }
    long[] line = new long[2];
    if (!number(a, pos + 1, line) || line[0] < count) {
      return null;
    }
    pos = (int) line[1];
    int[] out = new int[2 * count];
    for (int i = 0; i < count; i++) {
      if (a[pos] != '$' || !number(a, pos + 1, line) || line[0] < 0) {
        return null;
      }
      out[2 * i] = (int) line[1];
      out[2 * i + 1] = (int) line[0];
      pos = (int) (line[1] + line[0] + 2);
    }
    return out;
  }

  /** The element at {@code index} of {@link #bulks}'s result as Latin-1 text (one char per byte). */
  static String latin1(Reply r, int[] bulks, int index) {
    return new String(r.frameArray(), bulks[2 * index], bulks[2 * index + 1], StandardCharsets.ISO_8859_1);
  }

  /** Parses a decimal line from {@code pos} up to CRLF: {@code out[0]} the value, {@code out[1]} past the LF. */
  private static boolean number(byte[] a, int pos, long[] out) {
    boolean negative = a[pos] == '-';
    int p = negative ? pos + 1 : pos;
    long v = 0;
    while (a[p] != '\r') {
      if (a[p] < '0' || a[p] > '9') {
        return false;
      }
      v = v * 10 + (a[p] - '0');
      p++;
    }
    out[0] = negative ? -v : v;
    out[1] = p + 2;
    return true;
  }
}
