package dev.rekko.protocol.resp;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A RESP2 or RESP3 value as a tree, for the few places that look inside a reply (merging MGET
 * results, parsing INFO) and for tests. The hot path forwards raw frames instead.
 *
 * <p>Records holding {@code byte[]} compare and hash by content. Their arrays are not copied:
 * treat them as immutable. Lists are immutable copies. Text records (simple strings, errors) are
 * UTF-8.
 *
 * <p>Nested record names deliberately mirror the RESP type names, so inside this file
 * {@code Integer}, {@code Double}, {@code Boolean}, {@code Map} and {@code Set} mean the records.
 */
public sealed interface RespValue {

  /** {@code +OK}. */
  record SimpleString(String value) implements RespValue {
    public SimpleString {
      Objects.requireNonNull(value);
    }
  }

  /** {@code -ERR message}: the message without the leading '-'. */
  record Error(String message) implements RespValue {
    public Error {
      Objects.requireNonNull(message);
    }
  }

  /** {@code :42}. */
  record Integer(long value) implements RespValue {}

  /** {@code $3\r\nfoo}. The null bulk string is {@link NullBulk}. */
  record BulkString(byte[] bytes) implements RespValue {
    public BulkString {
      Objects.requireNonNull(bytes);
    }

    public String utf8() {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BulkString b && java.util.Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "BulkString[" + RespText.quote(bytes) + "]";
    }
  }

  /** RESP2's null bulk string, {@code $-1}. */
  record NullBulk() implements RespValue {}

  /** {@code *N}. The null array is {@link NullArray}. */
  record Array(List<RespValue> elements) implements RespValue {
    public Array {
      elements = List.copyOf(elements);
    }
  }

  /** RESP2's null array, {@code *-1}. */
  record NullArray() implements RespValue {}

  /** RESP3's null, {@code _}. */
  record Null() implements RespValue {}

  /** {@code #t} or {@code #f}. */
  record Boolean(boolean value) implements RespValue {}

  /**
   * {@code ,3.14}, including {@code inf}, {@code -inf} and {@code nan}. Equality follows
   * {@link java.lang.Double#compare}, so NaN equals NaN.
   */
  record Double(double value) implements RespValue {}

  /** {@code (3492890328409238509324850943850943825024385}. */
  record BigNumber(java.math.BigInteger value) implements RespValue {
    public BigNumber {
      Objects.requireNonNull(value);
    }
  }

  /** {@code !N}: an error whose message may hold any byte. */
  record BulkError(byte[] bytes) implements RespValue {
    public BulkError {
      Objects.requireNonNull(bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BulkError b && java.util.Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "BulkError[" + RespText.quote(bytes) + "]";
    }
  }

  /**
   * {@code =N\r\ntxt:...}: text with a three-byte format such as {@code txt} or {@code mkd}, held as
   * ISO-8859-1 so that any bytes a server sends survive.
   */
  record Verbatim(String format, byte[] text) implements RespValue {
    public Verbatim {
      Objects.requireNonNull(text);
      if (format.length() != 3 || format.chars().anyMatch(c -> c > 0xff)) {
        throw new IllegalArgumentException("verbatim format must be three one-byte characters: " + format);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Verbatim v && format.equals(v.format) && java.util.Arrays.equals(text, v.text);
    }

    @Override
    public int hashCode() {
      return 31 * format.hashCode() + java.util.Arrays.hashCode(text);
    }

    @Override
    public String toString() {
      return "Verbatim[" + format + ":" + RespText.quote(text) + "]";
    }
  }

  /** {@code %N}: entries in wire order; keys need not be unique. */
  record Map(List<java.util.Map.Entry<RespValue, RespValue>> entries) implements RespValue {
    public Map {
      entries = List.copyOf(entries);
    }
  }

  /** {@code ~N}: elements in wire order. */
  record Set(List<RespValue> elements) implements RespValue {
    public Set {
      elements = List.copyOf(elements);
    }
  }

  /** {@code >N}: an out-of-band message such as a pub/sub message or an invalidation. */
  record Push(List<RespValue> elements) implements RespValue {
    public Push {
      elements = List.copyOf(elements);
    }
  }

  /** {@code |N}: attributes, which on the wire precede the value they describe. */
  record Attribute(List<java.util.Map.Entry<RespValue, RespValue>> attributes, RespValue value)
      implements RespValue {
    public Attribute {
      attributes = List.copyOf(attributes);
      Objects.requireNonNull(value);
    }
  }

  static BulkString bulk(String utf8) {
    return new BulkString(utf8.getBytes(StandardCharsets.UTF_8));
  }

  static SimpleString simple(String value) {
    return new SimpleString(value);
  }

  static Error error(String message) {
    return new Error(message);
  }

  static Integer integer(long value) {
    return new Integer(value);
  }

  static Array array(RespValue... elements) {
    return new Array(List.of(elements));
  }

  static java.util.Map.Entry<RespValue, RespValue> entry(RespValue key, RespValue value) {
    return java.util.Map.entry(key, value);
  }
}
