package dev.rekko.protocol.resp;

/**
 * Incremental decoder of replies (what a Redis client reads), RESP2 and RESP3. It finds frame
 * boundaries and validates every line, but builds no value tree: each {@link Reply} is the raw
 * frame, to be forwarded untouched, with {@link Reply#value()} for the rare caller that needs to look
 * inside.
 *
 * <p>A frame is one complete top-level value: an aggregate with everything nested in it, and an
 * attribute ({@code |}) together with the value it is attached to.
 *
 * <p>Stricter than the request side, since a backend that breaks the protocol means the stream is out
 * of sync: lines must end with CRLF (a lone CR is allowed inside simple strings and errors, as
 * hiredis allows it), bulk payloads must be followed by CRLF, and typed lines (integers, doubles,
 * booleans, big numbers, null) must be well formed. Not thread-safe; one instance per connection.
 */
public final class ReplyDecoder extends ChunkedInput<Reply> {
  private static final int TYPE = 0;
  private static final int LINE = 1;
  private static final int BULK = 2;

  private final RespLimits limits;
  private int state = TYPE;

  /** Open aggregates: elements still expected, and whether it is an attribute. */
  private final long[] remaining;
  private final boolean[] attribute;
  private int depth;
  /** Type of the top-level value, after any attribute. */
  private byte valueType;

  private byte lineType;
  private boolean simpleLine;
  private int lineLength;
  private boolean sawCr;
  /** A typed line split across chunks is collected here. */
  private byte[] lineChars = new byte[32];

  private long bulkTotal;
  private long bulkLeft;

  public ReplyDecoder() {
    this(RespLimits.DEFAULT);
  }

  public ReplyDecoder(RespLimits limits) {
    this.limits = limits;
    this.remaining = new long[limits.maxNestingDepth()];
    this.attribute = new boolean[limits.maxNestingDepth()];
  }

  @Override
  Reply decode() {
    while (true) {
      if (pos == end && !advance()) {
        return null;
      }
      boolean done = switch (state) {
        case TYPE -> readType();
        case LINE -> scanLine();
        case BULK -> readBulk();
        default -> throw new IllegalStateException("state " + state);
      };
      if (done) {
        completeFrame();
        state = TYPE;
        return new Reply(frameArray, frameOffset, frameLength, valueType);
      }
    }
  }

  private boolean readType() {
    if (!hasPartialFrame()) {
      beginFrame();
    }
    byte t = src[pos];
    switch (t) {
      case '+', '-' -> simpleLine = true;
      case ':', '_', '#', ',', '(', '$', '!', '=', '*', '%', '~', '>', '|' -> simpleLine = false;
      default -> throw RespProtocolException.protocol("invalid reply type byte " + RespText.typeByte(t));
    }
    if (depth == 0 && t != '|') {
      valueType = t;
    }
    pos++;
    lineType = t;
    lineLength = 0;
    sawCr = false;
    state = LINE;
    return false;
  }

  /** Reads the rest of the current line up to CRLF, then acts on it. */
  private boolean scanLine() {
    long limit = simpleLine ? limits.maxBulkLength() : limits.maxInlineSize();
    while (true) {
      if (sawCr) {
        if (pos == end) {
          return false;
        }
        sawCr = false;
        if (src[pos] == '\n') {
          pos++;
          return simpleLine ? valueDone() : lineDone(lineChars, 0, lineLength);
        }
        if (!simpleLine) {
          throw invalidLine();
        }
        lineLength++;
      }
      byte[] s = src;
      int from = pos;
      int e = end;
      int p = from;
      while (p < e && s[p] != '\r') {
        p++;
      }
      int n = p - from;
      if ((long) lineLength + n > limit) {
        throw RespProtocolException.protocol("too big reply line");
      }
      if (!simpleLine) {
        if (lineLength == 0 && p + 1 < e && s[p + 1] == '\n') {
          pos = p + 2;
          return lineDone(s, from, p);
        }
        keepLineChars(s, from, n);
      }
      lineLength += n;
      pos = p;
      if (p == e) {
        return false;
      }
      pos++;
      sawCr = true;
    }
  }

  private void keepLineChars(byte[] s, int from, int n) {
    if (lineLength + n > lineChars.length) {
      lineChars = java.util.Arrays.copyOf(lineChars, Math.max(lineLength + n, 2 * lineChars.length));
    }
    System.arraycopy(s, from, lineChars, lineLength, n);
  }

  /** Validates a typed line {@code a[from..to)} (without type byte and CRLF) and acts on it. */
  private boolean lineDone(byte[] a, int from, int to) {
    switch (lineType) {
      case ':' -> {
        if (!parseLong(a, from, to)) {
          throw invalidLine();
        }
      }
      case '_' -> {
        if (to != from) {
          throw invalidLine();
        }
      }
      case '#' -> {
        if (to - from != 1 || a[from] != 't' && a[from] != 'f') {
          throw invalidLine();
        }
      }
      case ',' -> {
        if (!ValueReader.isDouble(a, from, to)) {
          throw invalidLine();
        }
      }
      case '(' -> {
        if (!ValueReader.isBigNumber(a, from, to)) {
          throw invalidLine();
        }
      }
      case '$', '!', '=' -> {
        return bulkHeader(parseLong(a, from, to));
      }
      default -> {
        return aggregateHeader(parseLong(a, from, to));
      }
    }
    return valueDone();
  }

  private boolean bulkHeader(boolean valid) {
    if (valid && parsed == -1 && lineType == '$') {
      return valueDone();
    }
    if (!valid || parsed < 0 || parsed > limits.maxBulkLength()) {
      throw RespProtocolException.protocol("invalid bulk length");
    }
    if (lineType == '=' && parsed < 4) {
      throw RespProtocolException.protocol("invalid verbatim string");
    }
    if (frameBytes() + parsed + 2 > MAX_FRAME) {
      throw frameTooBig();
    }
    bulkTotal = bulkLeft = parsed + 2;
    state = BULK;
    return false;
  }

  private boolean aggregateHeader(boolean valid) {
    if (valid && parsed == -1 && lineType == '*') {
      return valueDone();
    }
    if (!valid || parsed < 0 || parsed > limits.maxMultibulkLength()) {
      throw RespProtocolException.protocol("invalid multibulk length");
    }
    boolean pairs = lineType == '%' || lineType == '|';
    if (parsed == 0) {
      // An empty attribute describes the value that still follows.
      state = TYPE;
      return lineType != '|' && valueDone();
    }
    if (depth == remaining.length) {
      throw RespProtocolException.protocol("reply nested deeper than " + remaining.length + " levels");
    }
    remaining[depth] = pairs ? 2 * parsed : parsed;
    attribute[depth] = lineType == '|';
    depth++;
    state = TYPE;
    return false;
  }

  private boolean readBulk() {
    int n = (int) Math.min(bulkLeft, end - pos);
    long done = bulkTotal - bulkLeft;
    // The payload is skipped unread; only the bytes with a required value are looked at, in stream
    // order so that the error does not depend on how the input was chunked.
    if (lineType == '=') {
      checkByte(done, n, 3, ':');
    }
    checkByte(done, n, bulkTotal - 2, '\r');
    checkByte(done, n, bulkTotal - 1, '\n');
    pos += n;
    bulkLeft -= n;
    if (bulkLeft > 0) {
      return false;
    }
    state = TYPE;
    return valueDone();
  }

  private void checkByte(long done, int n, long index, char expected) {
    if (index >= done && index < done + n && src[pos + (int) (index - done)] != expected) {
      throw RespProtocolException.protocol(
          expected == ':' ? "invalid verbatim string" : "expected CRLF after bulk string");
    }
  }

  /** One value is complete; closes the aggregates it completes. True when the frame is complete. */
  private boolean valueDone() {
    state = TYPE;
    while (depth > 0) {
      if (--remaining[depth - 1] > 0) {
        return false;
      }
      depth--;
      if (attribute[depth]) {
        // Attributes are not elements: the value they describe comes next.
        return false;
      }
    }
    return true;
  }

  private RespProtocolException invalidLine() {
    String what = switch (lineType) {
      case ':' -> "integer";
      case '_' -> "null";
      case '#' -> "boolean";
      case ',' -> "double";
      case '(' -> "big number";
      case '$', '!', '=' -> "bulk length";
      default -> "multibulk length";
    };
    return RespProtocolException.protocol("invalid " + what);
  }

  @Override
  RespProtocolException frameTooBig() {
    return RespProtocolException.protocol("too big reply");
  }
}
