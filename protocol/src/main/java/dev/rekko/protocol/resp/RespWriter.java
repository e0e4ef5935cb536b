package dev.rekko.protocol.resp;

import dev.rekko.protocol.Args;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes RESP2 and RESP3 into a growable byte buffer that can be reused: write, hand
 * {@link #array()}[0..{@link #length()}) to the network, {@link #reset()}, repeat.
 *
 * <p>Simple strings and errors cannot carry CR or LF; like Redis, the writer turns them into spaces
 * rather than emit a broken stream. Not thread-safe.
 */
public final class RespWriter {
  private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

  private byte[] buf;
  private int len;

  public RespWriter() {
    this(256);
  }

  public RespWriter(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  /** Forgets what was written, keeping the buffer. */
  public RespWriter reset() {
    len = 0;
    return this;
  }

  /** The internal buffer; bytes {@code [0, length())} are the output. Valid until the next write. */
  public byte[] array() {
    return buf;
  }

  public int length() {
    return len;
  }

  public byte[] toByteArray() {
    return java.util.Arrays.copyOf(buf, len);
  }

  // ---- RESP2

  public RespWriter writeSimpleString(String s) {
    return line('+', s);
  }

  /** An error reply; {@code message} is without the leading '-', e.g. {@code "ERR unknown command"}. */
  public RespWriter writeError(String message) {
    return line('-', message);
  }

  public RespWriter writeInteger(long v) {
    return header(':', v);
  }

  public RespWriter writeBulk(byte[] b) {
    return writeBulk(b, 0, b.length);
  }

  public RespWriter writeBulk(byte[] b, int off, int n) {
    java.util.Objects.checkFromIndexSize(off, n, b.length);
    ensure(n + 24L);
    header('$', n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
    return crlf();
  }

  /** A bulk string holding {@code s} in UTF-8. */
  public RespWriter writeBulk(String s) {
    if (!isAscii(s)) {
      return writeBulk(s.getBytes(StandardCharsets.UTF_8));
    }
    int n = s.length();
    ensure(n + 24L);
    header('$', n);
    putAscii(s, n);
    len += n;
    return crlf();
  }

  public RespWriter writeNullBulk() {
    return raw('$', '-', '1');
  }

  public RespWriter writeArrayHeader(int n) {
    return header('*', n);
  }

  public RespWriter writeNullArray() {
    return raw('*', '-', '1');
  }

  /** Appends bytes as they are, e.g. a frame forwarded untouched. */
  public RespWriter writeRaw(byte[] b, int off, int n) {
    java.util.Objects.checkFromIndexSize(off, n, b.length);
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
    return this;
  }

  // ---- RESP3

  /** A map of {@code n} entries: follow with {@code 2n} values, key then value. */
  public RespWriter writeMapHeader(int n) {
    return header('%', n);
  }

  public RespWriter writeSetHeader(int n) {
    return header('~', n);
  }

  public RespWriter writePushHeader(int n) {
    return header('>', n);
  }

  /** Attributes of {@code n} entries: follow with {@code 2n} values, then the value they describe. */
  public RespWriter writeAttributeHeader(int n) {
    return header('|', n);
  }

  public RespWriter writeNull() {
    ensure(3);
    buf[len++] = '_';
    return crlf();
  }

  public RespWriter writeBoolean(boolean v) {
    ensure(4);
    buf[len++] = '#';
    buf[len++] = (byte) (v ? 't' : 'f');
    return crlf();
  }

  /** A double: {@code inf}, {@code -inf}, {@code nan}, or the shortest decimal that reads back exactly. */
  public RespWriter writeDouble(double v) {
    String s;
    if (java.lang.Double.isNaN(v)) {
      s = "nan";
    } else if (java.lang.Double.isInfinite(v)) {
      s = v > 0 ? "inf" : "-inf";
    } else {
      s = java.lang.Double.toString(v);
    }
    return line(',', s);
  }

  public RespWriter writeBigNumber(java.math.BigInteger v) {
    return line('(', v.toString());
  }

  public RespWriter writeVerbatim(String format, byte[] text) {
    if (format.length() != 3 || format.chars().anyMatch(c -> c > 0xff)) {
      throw new IllegalArgumentException("verbatim format must be three one-byte characters: " + format);
    }
    int n = text.length + 4;
    ensure(n + 24L);
    header('=', n);
    putAscii(format, 3);
    buf[len + 3] = ':';
    len += 4;
    System.arraycopy(text, 0, buf, len, text.length);
    len += text.length;
    return crlf();
  }

  public RespWriter writeBulkError(byte[] message) {
    ensure(message.length + 24L);
    header('!', message.length);
    System.arraycopy(message, 0, buf, len, message.length);
    len += message.length;
    return crlf();
  }

  // ---- Trees and commands

  /** Writes a whole value tree. */
  public RespWriter write(RespValue v) {
    if (v instanceof RespValue.BulkString b) {
      return writeBulk(b.bytes());
    } else if (v instanceof RespValue.SimpleString s) {
      return writeSimpleString(s.value());
    } else if (v instanceof RespValue.Error e) {
      return writeError(e.message());
    } else if (v instanceof RespValue.Integer i) {
      return writeInteger(i.value());
    } else if (v instanceof RespValue.Array a) {
      writeArrayHeader(a.elements().size());
      return writeAll(a.elements());
    } else if (v instanceof RespValue.NullBulk) {
      return writeNullBulk();
    } else if (v instanceof RespValue.NullArray) {
      return writeNullArray();
    } else if (v instanceof RespValue.Null) {
      return writeNull();
    } else if (v instanceof RespValue.Boolean b) {
      return writeBoolean(b.value());
    } else if (v instanceof RespValue.Double d) {
      return writeDouble(d.value());
    } else if (v instanceof RespValue.BigNumber n) {
      return writeBigNumber(n.value());
    } else if (v instanceof RespValue.BulkError e) {
      return writeBulkError(e.bytes());
    } else if (v instanceof RespValue.Verbatim t) {
      return writeVerbatim(t.format(), t.text());
    } else if (v instanceof RespValue.Map m) {
      writeMapHeader(m.entries().size());
      return writeEntries(m.entries());
    } else if (v instanceof RespValue.Set s) {
      writeSetHeader(s.elements().size());
      return writeAll(s.elements());
    } else if (v instanceof RespValue.Push p) {
      writePushHeader(p.elements().size());
      return writeAll(p.elements());
    } else if (v instanceof RespValue.Attribute a) {
      writeAttributeHeader(a.attributes().size());
      writeEntries(a.attributes());
      return write(a.value());
    }
    throw new IllegalArgumentException("unknown value " + v);
  }

  private RespWriter writeAll(List<RespValue> values) {
    for (RespValue e : values) {
      write(e);
    }
    return this;
  }

  private RespWriter writeEntries(List<java.util.Map.Entry<RespValue, RespValue>> entries) {
    for (var e : entries) {
      write(e.getKey());
      write(e.getValue());
    }
    return this;
  }

  /** A command as a multibulk of bulk strings, as a client sends it. */
  public RespWriter writeCommand(Args args) {
    int argc = args.argc();
    header('*', argc);
    for (int i = 0; i < argc; i++) {
      writeBulk(args.array(i), args.offset(i), args.length(i));
    }
    return this;
  }

  public RespWriter writeCommand(byte[]... argv) {
    header('*', argv.length);
    for (byte[] a : argv) {
      writeBulk(a, 0, a.length);
    }
    return this;
  }

  // ---- Plumbing

  /** {@code <type><v>\r\n} without allocating. */
  private RespWriter header(char type, long v) {
    ensure(23);
    byte[] b = buf;
    int p = len;
    b[p++] = (byte) type;
    if (v < 0) {
      b[p++] = '-';
    } else {
      v = -v;
    }
    // Digits of a non-positive number, so that Long.MIN_VALUE needs no special case.
    int digits = 1;
    for (long t = v; t <= -10; t /= 10) {
      digits++;
    }
    for (int i = p + digits - 1; i >= p; i--) {
      b[i] = (byte) ('0' - (v % 10));
      v /= 10;
    }
    p += digits;
    b[p++] = '\r';
    b[p++] = '\n';
    len = p;
    return this;
  }

  private RespWriter line(char type, String s) {
    int n = s.length();
    if (isAscii(s)) {
      ensure(n + 3L);
      buf[len++] = (byte) type;
      putAscii(s, n);
    } else {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      n = b.length;
      ensure(n + 3L);
      buf[len++] = (byte) type;
      System.arraycopy(b, 0, buf, len, n);
    }
    for (int i = len; i < len + n; i++) {
      if (buf[i] == '\r' || buf[i] == '\n') {
        buf[i] = ' ';
      }
    }
    len += n;
    return crlf();
  }

  private RespWriter raw(char a, char b, char c) {
    ensure(5);
    buf[len++] = (byte) a;
    buf[len++] = (byte) b;
    buf[len++] = (byte) c;
    return crlf();
  }

  private RespWriter crlf() {
    ensure(2);
    buf[len++] = '\r';
    buf[len++] = '\n';
    return this;
  }

  /** Copies the first {@code n} chars of an ASCII (or ISO-8859-1) string to {@code buf[len..]}, leaving {@code len}. */
  private void putAscii(String s, int n) {
    byte[] b = buf;
    int p = len;
    for (int i = 0; i < n; i++) {
      b[p + i] = (byte) s.charAt(i);
    }
  }

  private static boolean isAscii(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Makes room for {@code n} more bytes, doubling so that appends stay amortised O(1). */
  private void ensure(long n) {
    long need = len + n;
    if (need <= buf.length) {
      return;
    }
    if (need > MAX_CAPACITY) {
      throw new IllegalStateException("RESP output would exceed " + MAX_CAPACITY + " bytes");
    }
    long grown = Math.max(need, Math.min(MAX_CAPACITY, 2L * buf.length));
    buf = java.util.Arrays.copyOf(buf, (int) grown);
  }
}
