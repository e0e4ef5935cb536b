package dev.rekko.protocol.resp;

/**
 * Bounds the decoders enforce so that a client or backend cannot make the proxy buffer or
 * allocate without limit. The defaults are Redis 7.0's.
 *
 * @param maxInlineSize longest inline request line, and longest count line ({@code *N}, {@code $N})
 *     Redis waits for before giving up: {@code PROTO_INLINE_MAX_SIZE}, 64 KiB. Replies use it for
 *     their typed lines too (integers, doubles, big numbers, lengths); simple strings and errors
 *     may be as long as a bulk.
 * @param maxBulkLength largest bulk string: Redis's {@code proto-max-bulk-len}, 512 MiB
 * @param maxMultibulkLength largest element count of a request or aggregate reply: {@code INT_MAX},
 *     as in Redis 7.0 (6.2 allowed 1024 * 1024)
 * @param maxNestingDepth deepest nesting of aggregate replies (arrays, maps, sets, pushes,
 *     attributes) the reply decoder accepts
 */
public record RespLimits(int maxInlineSize, long maxBulkLength, int maxMultibulkLength, int maxNestingDepth) {

  /** A bulk and its header must fit in one Java array. */
  public static final long MAX_BULK_LENGTH = Integer.MAX_VALUE - 64;

  public static final RespLimits DEFAULT =
      new RespLimits(64 * 1024, 512L * 1024 * 1024, Integer.MAX_VALUE, 128);

  public RespLimits {
    if (maxInlineSize < 1) {
      throw new IllegalArgumentException("maxInlineSize must be positive: " + maxInlineSize);
    }
    if (maxBulkLength < 0 || maxBulkLength > MAX_BULK_LENGTH) {
      throw new IllegalArgumentException("maxBulkLength must be in [0, " + MAX_BULK_LENGTH + "]: " + maxBulkLength);
    }
    if (maxMultibulkLength < 1) {
      throw new IllegalArgumentException("maxMultibulkLength must be positive: " + maxMultibulkLength);
    }
    if (maxNestingDepth < 1) {
      throw new IllegalArgumentException("maxNestingDepth must be positive: " + maxNestingDepth);
    }
  }

  public RespLimits withMaxInlineSize(int value) {
    return new RespLimits(value, maxBulkLength, maxMultibulkLength, maxNestingDepth);
  }

  public RespLimits withMaxBulkLength(long value) {
    return new RespLimits(maxInlineSize, value, maxMultibulkLength, maxNestingDepth);
  }

  public RespLimits withMaxMultibulkLength(int value) {
    return new RespLimits(maxInlineSize, maxBulkLength, value, maxNestingDepth);
  }

  public RespLimits withMaxNestingDepth(int value) {
    return new RespLimits(maxInlineSize, maxBulkLength, maxMultibulkLength, value);
  }
}
