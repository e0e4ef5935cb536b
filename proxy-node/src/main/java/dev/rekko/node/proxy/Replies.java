package dev.rekko.node.proxy;

import dev.rekko.protocol.resp.RespValue;
import dev.rekko.protocol.resp.RespWriter;
import java.nio.charset.StandardCharsets;

/**
 * The shapes of the replies the node builds itself, in the protocol of the session they are for: what
 * Redis 7 sends as a null bulk string or null array in RESP2 is RESP3's null ({@code _}), a map is an
 * array of key-value pairs in RESP2, a set an array, and text Redis sends verbatim (INFO, CLIENT INFO,
 * CLIENT LIST) a bulk string. Replies that come from a backend need none of this: a session's backend
 * connections speak its protocol, so their frames are forwarded as they are.
 */
final class Replies {
  static final byte[] NULL_BULK = ascii("$-1\r\n");
  static final byte[] NULL = ascii("_\r\n");

  private Replies() {}

  /** Redis's "no value": {@code $-1} in RESP2, {@code _} in RESP3. */
  static byte[] nullValue(int protocol) {
    return protocol == 3 ? NULL : NULL_BULK;
  }

  static RespWriter writeNullBulk(RespWriter w, int protocol) {
    return protocol == 3 ? w.writeNull() : w.writeNullBulk();
  }

  /** A map of {@code n} entries; in RESP2 an array of {@code 2n} elements, key then value. */
  static RespWriter writeMapHeader(RespWriter w, int protocol, int n) {
    return protocol == 3 ? w.writeMapHeader(n) : w.writeArrayHeader(2 * n);
  }

  /** A set of {@code n} elements; in RESP2 an array. */
  static RespWriter writeSetHeader(RespWriter w, int protocol, int n) {
    return protocol == 3 ? w.writeSetHeader(n) : w.writeArrayHeader(n);
  }

  /** Text Redis 7 answers as a verbatim string ({@code =N\r\ntxt:…}) in RESP3, a bulk string in RESP2. */
  static RespWriter writeText(RespWriter w, int protocol, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return protocol == 3 ? w.writeVerbatim("txt", b) : w.writeBulk(b);
  }

  static byte[] text(int protocol, String text) {
    return writeText(new RespWriter(text.length() + 24), protocol, text).toByteArray();
  }

  /** The text of a bulk string or of a verbatim string (a backend speaking RESP3 sends INFO as one). */
  static String textOf(RespValue v) {
    if (v instanceof RespValue.Verbatim t) {
      return new String(t.text(), StandardCharsets.UTF_8);
    }
    return ((RespValue.BulkString) v).utf8();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
