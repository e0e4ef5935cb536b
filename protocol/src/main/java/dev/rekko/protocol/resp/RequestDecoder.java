package dev.rekko.protocol.resp;

/**
 * Incremental decoder of client requests, both RESP multibulk ({@code *2\r\n$3\r\nGET\r\n...}) and
 * inline ({@code GET foo\r\n}), accepting exactly what Redis 7.0's {@code networking.c} accepts and
 * failing with its error texts.
 *
 * <p>Use: {@link #feed} each chunk read from the connection, then call {@link #next()} until it
 * returns null. A {@link RespProtocolException} means the connection must be closed after sending
 * its message as an error reply; the decoder then stays failed.
 *
 * <p>Two Redis leniencies are kept on purpose, so that the proxy accepts what a backend accepts:
 * the byte after the CR of a count line is not checked to be LF, and the two bytes after a bulk's
 * payload are not checked to be CRLF. Two differences are deliberate, so that the outcome never
 * depends on how the input was split into reads: a line longer than
 * {@link RespLimits#maxInlineSize()} is always an error, whereas Redis only notices when such a line
 * sits in its buffer without its terminator; and a bulk header not starting with {@code '$'} fails
 * as soon as that byte arrives, whereas Redis waits for the header's CR first.
 *
 * <p>Not thread-safe; one instance per connection.
 */
public final class RequestDecoder extends ChunkedInput<Command> {
  private static final int START = 0;
  private static final int COUNT = 1;
  private static final int BULK_TYPE = 2;
  private static final int BULK_LEN = 3;
  private static final int BULK_DATA = 4;
  private static final int INLINE = 5;

  /** Like Redis, trust a multibulk count for at most this many slots before arguments arrive. */
  private static final int PREALLOCATED_ARGS = 1024;
  /** string2ll rejects 21 characters or more, so a count line never needs more to be judged. */
  private static final int NUMBER_CHARS = 21;
  /**
   * Redis 7's limits for a client that must authenticate and has not yet (the fix of CVE-2021-32675):
   * more arguments, or a longer bulk, and the connection is closed before anything big is buffered.
   */
  public static final int UNAUTHENTICATED_MAX_ARGS = 10;
  public static final int UNAUTHENTICATED_MAX_BULK = 16 * 1024;

  private final RespLimits limits;
  private int state = START;
  private boolean unauthenticated;
  /** What the fast path accepts without a closer look: the limits, or the pre-AUTH ones. */
  private long countCap;
  private long bulkCap;

  private long remaining;
  private int[] argv;
  private int argc;

  /** Count or inline line: bytes seen so far after its type byte, whether its CR was seen. */
  private int lineLength;
  private boolean sawCr;
  /** A count line split across chunks is collected here. */
  private final byte[] lineChars = new byte[NUMBER_CHARS];
  private boolean lineValid;

  private int bulkLength;
  private int bulkAt;
  private long bulkLeft;

  public RequestDecoder() {
    this(RespLimits.DEFAULT);
  }

  public RequestDecoder(RespLimits limits) {
    this.limits = limits;
    this.countCap = limits.maxMultibulkLength();
    this.bulkCap = limits.maxBulkLength();
  }

  /**
   * Whether the client still has to authenticate: then, as in Redis 7, a multibulk of more than
   * {@value #UNAUTHENTICATED_MAX_ARGS} arguments fails with {@code unauthenticated multibulk length}
   * and a bulk longer than {@value #UNAUTHENTICATED_MAX_BULK} bytes with {@code unauthenticated bulk
   * length}, as soon as their header arrives. Set it before each {@link #next()}: Redis runs a
   * pipelined AUTH before it parses the command after it.
   */
  public void unauthenticated(boolean value) {
    if (value == unauthenticated) {
      return;
    }
    unauthenticated = value;
    countCap = value ? Math.min(UNAUTHENTICATED_MAX_ARGS, limits.maxMultibulkLength()) : limits.maxMultibulkLength();
    bulkCap = value ? Math.min(UNAUTHENTICATED_MAX_BULK, limits.maxBulkLength()) : limits.maxBulkLength();
  }

  /** Empty inline lines and multibulks with a count of zero or less are skipped by next(), as Redis does. */
  @Override
  Command decode() {
    while (true) {
      if (pos == end && !advance()) {
        return null;
      }
      switch (state) {
        case START -> {
          if (src[pos] == '*') {
            Command c = plainMultibulk();
            if (c != null) {
              return c;
            }
            beginFrame();
            pos++;
            state = COUNT;
          } else {
            beginFrame();
            state = INLINE;
          }
          lineLength = 0;
        }
        case COUNT -> {
          if (scanCountLine("too big mbulk count string")) {
            if (!lineValid || parsed > limits.maxMultibulkLength()) {
              throw RespProtocolException.protocol("invalid multibulk length");
            }
            if (unauthenticated && parsed > UNAUTHENTICATED_MAX_ARGS) {
              throw RespProtocolException.protocol("unauthenticated multibulk length");
            }
            if (parsed <= 0) {
              skipFrame();
              state = START;
            } else {
              remaining = parsed;
              argc = 0;
              argv = new int[2 * (int) Math.min(parsed, PREALLOCATED_ARGS)];
              state = BULK_TYPE;
            }
          }
        }
        case BULK_TYPE -> {
          byte b = src[pos];
          if (b != '$') {
            throw expectedDollar(b);
          }
          pos++;
          lineLength = 0;
          state = BULK_LEN;
        }
        case BULK_LEN -> {
          if (scanCountLine("too big bulk count string")) {
            if (!lineValid || parsed < 0 || parsed > limits.maxBulkLength()) {
              throw RespProtocolException.protocol("invalid bulk length");
            }
            if (unauthenticated && parsed > UNAUTHENTICATED_MAX_BULK) {
              throw RespProtocolException.protocol("unauthenticated bulk length");
            }
            long at = frameBytes();
            if (at + parsed + 2 > MAX_FRAME) {
              throw frameTooBig();
            }
            bulkAt = (int) at;
            bulkLength = (int) parsed;
            bulkLeft = parsed + 2;
            state = BULK_DATA;
          }
        }
        case BULK_DATA -> {
          int n = (int) Math.min(bulkLeft, end - pos);
          pos += n;
          bulkLeft -= n;
          if (bulkLeft == 0) {
            addArg(bulkAt, bulkLength);
            if (--remaining == 0) {
              completeFrame();
              state = START;
              return new Command(frameArray, frameOffset, frameLength, frameArray, frameOffset, argv, argc, false);
            }
            state = BULK_TYPE;
          }
        }
        case INLINE -> {
          Command c = scanInline();
          if (c != null) {
            return c;
          }
        }
        default -> throw new IllegalStateException("state " + state);
      }
    }
  }

  /**
   * The hot path: a multibulk that lies wholly in the current chunk and is written the plain way
   * (short counts, CRLF everywhere), decoded in one pass over local variables. Anything else,
   * including every error, returns null having consumed nothing, and the state machine takes over;
   * so both paths always agree.
   */
  private Command plainMultibulk() {
    byte[] s = src;
    int e = end;
    int start = pos;
    int p = start + 1;
    long count = 0;
    int digits = 0;
    for (int d; p < e && (d = s[p] - '0') >= 0 && d <= 9; p++) {
      count = count * 10 + d;
      digits++;
    }
    if (digits == 0 || digits > 9 || s[start + 1] == '0' || p + 1 >= e || s[p] != '\r' || s[p + 1] != '\n'
        || count > countCap) {
      return null;
    }
    p += 2;
    int n = (int) count;
    int[] args = new int[2 * Math.min(n, PREALLOCATED_ARGS)];
    for (int i = 0; i < n; i++) {
      if (p >= e || s[p] != '$') {
        return null;
      }
      int from = ++p;
      long len = 0;
      for (int d; p < e && (d = s[p] - '0') >= 0 && d <= 9 && p - from < 10; p++) {
        len = len * 10 + d;
      }
      if (p == from || s[from] == '0' && p - from > 1 || p + 1 >= e || s[p] != '\r' || s[p + 1] != '\n'
          || len > bulkCap || e - (p + 2) < len + 2) {
        return null;
      }
      p += 2;
      if (2 * i == args.length) {
        args = java.util.Arrays.copyOf(args, 2 * Math.min(2 * i, n));
      }
      args[2 * i] = p - start;
      args[2 * i + 1] = (int) len;
      p += (int) len + 2;
    }
    pos = p;
    return new Command(s, start, p - start, s, start, args, n, false);
  }

  /**
   * Reads a count line up to its CR and the one byte after it, which Redis consumes as the LF without
   * looking. Returns false when the input ran out first; otherwise {@code lineValid} and
   * {@code parsed} hold the number.
   */
  private boolean scanCountLine(String tooBig) {
    if (!sawCr) {
      byte[] s = src;
      int from = pos;
      int e = end;
      int p = from;
      while (p < e && s[p] != '\r') {
        p++;
      }
      int n = p - from;
      // Redis counts the type byte too when it checks an unterminated line against the limit.
      if (1L + lineLength + n > limits.maxInlineSize()) {
        throw RespProtocolException.protocol(tooBig);
      }
      if (p < e && lineLength == 0) {
        lineValid = parseLong(s, from, p);
      } else {
        keepLineChars(s, from, n);
        if (p < e) {
          lineValid = lineLength < NUMBER_CHARS && parseLong(lineChars, 0, lineLength);
        }
      }
      pos = p;
      if (p == e) {
        return false;
      }
      pos++;
      sawCr = true;
      if (pos == e) {
        return false;
      }
    }
    pos++;
    sawCr = false;
    return true;
  }

  private void keepLineChars(byte[] s, int from, int n) {
    int room = NUMBER_CHARS - lineLength;
    if (room > 0) {
      System.arraycopy(s, from, lineChars, lineLength, Math.min(room, n));
    }
    lineLength += n;
  }

  private Command scanInline() {
    byte[] s = src;
    int from = pos;
    int e = end;
    int p = from;
    while (p < e && s[p] != '\n') {
      p++;
    }
    lineLength += p - from;
    pos = p;
    if (lineLength > limits.maxInlineSize()) {
      throw RespProtocolException.protocol("too big inline request");
    }
    if (p == e) {
      return null;
    }
    pos++;
    state = START;
    if (lineLength == 0) {
      skipFrame();
      return null;
    }
    completeFrame();
    return InlineParser.parse(frameArray, frameOffset, frameLength);
  }

  private void addArg(int offset, int length) {
    if (2 * argc == argv.length) {
      long wanted = Math.min(2L * argv.length, 2 * (argc + remaining));
      argv = java.util.Arrays.copyOf(argv, (int) Math.min(wanted, Integer.MAX_VALUE - 8));
    }
    argv[2 * argc] = offset;
    argv[2 * argc + 1] = length;
    argc++;
  }

  private static RespProtocolException expectedDollar(byte b) {
    // Redis formats with %c, maps CR and LF to spaces, and its string ends at a NUL byte.
    if (b == 0) {
      return RespProtocolException.protocol("expected '$', got '");
    }
    char c = b == '\r' || b == '\n' ? ' ' : (char) (b & 0xff);
    return RespProtocolException.protocol("expected '$', got '" + c + "'");
  }

  @Override
  RespProtocolException frameTooBig() {
    return RespProtocolException.protocol("too big request");
  }
}
