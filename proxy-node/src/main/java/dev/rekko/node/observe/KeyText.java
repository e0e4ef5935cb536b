package dev.rekko.node.observe;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Keys are bytes; the HTTP API shows them as text: valid UTF-8 as it is, every byte of an invalid
 * sequence as {@code \xNN} (two lower-case hex digits), and a backslash as {@code \\}, so that the text
 * names exactly one byte string ({@link #bytes} gives it back, e.g. to compute the key's slot).
 */
public final class KeyText {
  private KeyText() {}

  public static String of(byte[] key) {
    return of(key, 0, key.length);
  }

  public static String of(byte[] a, int off, int len) {
    boolean plain = true;
    for (int i = off; i < off + len; i++) {
      if (a[i] < 0 || a[i] == '\\') {
        plain = false;
        break;
      }
    }
    if (plain) {
      return new String(a, off, len, StandardCharsets.US_ASCII);
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(a, off, len);
    CharBuffer out = CharBuffer.allocate(len + 2);
    StringBuilder sb = new StringBuilder(len + 16);
    while (in.hasRemaining()) {
      CoderResult r = decoder.decode(in, out, true);
      out.flip();
      escapeBackslashes(sb, out);
      out.clear();
      if (r.isError()) {
        for (int i = 0; i < r.length(); i++) {
          sb.append(String.format("\\x%02x", in.get() & 0xff));
        }
      } else if (r.isUnderflow()) {
        break;
      }
    }
    return sb.toString();
  }

  private static void escapeBackslashes(StringBuilder sb, CharBuffer chars) {
    while (chars.hasRemaining()) {
      char c = chars.get();
      sb.append(c);
      if (c == '\\') {
        sb.append('\\');
      }
    }
  }

  /** The bytes {@code text} (made by {@link #of}) stands for. */
  public static byte[] bytes(String text) {
    if (text.indexOf('\\') < 0) {
      return text.getBytes(StandardCharsets.UTF_8);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    int plainFrom = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) != '\\' || i + 1 >= text.length()) {
        continue;
      }
      out.writeBytes(text.substring(plainFrom, i).getBytes(StandardCharsets.UTF_8));
      if (text.charAt(i + 1) == 'x' && i + 3 < text.length()) {
        out.write(Integer.parseInt(text.substring(i + 2, i + 4), 16));
        i += 3;
      } else {
        out.write(text.charAt(i + 1));
        i += 1;
      }
      plainFrom = i + 1;
    }
    out.writeBytes(text.substring(plainFrom).getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
