package dev.rekko.protocol.resp;

import java.util.Objects;

/**
 * What both decoders share: a queue of caller-owned chunks, a cursor over them, and the bookkeeping
 * that lets one frame span several chunks.
 *
 * <p>Nothing is copied while a frame is scanned. A frame that ends in the chunk it started in is
 * handed out as a slice of that chunk; only a frame that spans chunks is copied, once, into an array
 * of exactly its length when its last byte has arrived. So a 100 MiB bulk fed in 64 KiB pieces is
 * copied once, and a length header alone never makes the decoder allocate: memory follows the bytes
 * actually received.
 */
abstract class ChunkedInput<T> {
  /** Largest frame: it must fit in one Java array. */
  static final int MAX_FRAME = Integer.MAX_VALUE - 8;

  private static final byte[] NONE = new byte[0];

  private byte[][] arrays = new byte[8][];
  private int[] starts = new int[8];
  private int[] ends = new int[8];
  /** Chunks {@code [head, tail)} are still referenced; {@code cur} is the one under the cursor. */
  private int head;
  private int tail;
  private int cur = -1;

  /** The cursor: {@code src[pos..end)} is the unread rest of the current chunk. */
  byte[] src = NONE;
  int pos;
  int end;

  private boolean inFrame;
  /** Offset in {@code arrays[head]} of the current frame's first byte. */
  private int frameStart;
  /** Offset in the cursor chunk of its first byte that belongs to the frame. */
  private int curStart;
  /** Frame bytes in the chunks before the cursor chunk. */
  private long spanned;

  /** The last completed frame, set by {@link #completeFrame()}. */
  byte[] frameArray;
  int frameOffset;
  int frameLength;

  /** Set once input was malformed; every later call rethrows it. */
  RespProtocolException failure;

  /** The number parsed by the last successful {@link #parseLong}. */
  long parsed;

  // The public methods are not final so that javac gives the public decoders bridge methods:
  // without them, reflection and method handles from other packages cannot reach these.

  /**
   * Appends {@code len} bytes of {@code chunk} from {@code off}. The decoder keeps a reference
   * instead of copying, so the caller must never modify the bytes afterwards.
   */
  public void feed(byte[] chunk, int off, int len) {
    Objects.checkFromIndexSize(off, len, chunk.length);
    if (len == 0 || failure != null) {
      return;
    }
    if (tail == arrays.length) {
      makeRoom();
    }
    arrays[tail] = chunk;
    starts[tail] = off;
    ends[tail] = off + len;
    tail++;
  }

  public void feed(byte[] chunk) {
    feed(chunk, 0, chunk.length);
  }

  /**
   * Bytes fed but not yet returned as frames: the part of a frame decoded so far plus the input not
   * looked at yet. This is what Redis calls the query buffer; 0 after a read whose frames were all
   * complete. Cheap: it walks only the chunks after the cursor.
   */
  public long bufferedBytes() {
    long n = (inFrame ? frameBytes() : 0) + (end - pos);
    for (int i = cur + 1; i < tail; i++) {
      n += ends[i] - starts[i];
    }
    return n;
  }

  /** Whether part of a frame has been read but not yet returned, e.g. to tell a clean close from a cut one. */
  public boolean hasPartialFrame() {
    return inFrame;
  }

  private void makeRoom() {
    int live = tail - head;
    if (head > 0 && live <= arrays.length / 2) {
      System.arraycopy(arrays, head, arrays, 0, live);
      System.arraycopy(starts, head, starts, 0, live);
      System.arraycopy(ends, head, ends, 0, live);
      java.util.Arrays.fill(arrays, live, tail, null);
      cur -= head;
      tail = live;
      head = 0;
    } else {
      int n = arrays.length * 2;
      arrays = java.util.Arrays.copyOf(arrays, n);
      starts = java.util.Arrays.copyOf(starts, n);
      ends = java.util.Arrays.copyOf(ends, n);
    }
  }

  /** Moves the cursor to the next fed chunk; false if there is none yet. Call only when {@code pos == end}. */
  final boolean advance() {
    if (cur + 1 >= tail) {
      return false;
    }
    if (inFrame) {
      spanned += end - curStart;
      if (spanned > MAX_FRAME) {
        throw frameTooBig();
      }
    } else if (cur >= 0) {
      arrays[cur] = null;
      head = cur + 1;
    }
    cur++;
    src = arrays[cur];
    pos = curStart = starts[cur];
    end = ends[cur];
    return true;
  }

  /** Starts a frame at the cursor, releasing the chunks before it. */
  final void beginFrame() {
    release(cur);
    inFrame = true;
    frameStart = curStart = pos;
    spanned = 0;
  }

  /** Bytes of the current frame before the cursor. */
  final long frameBytes() {
    return spanned + (pos - curStart);
  }

  /** Ends the current frame at the cursor and publishes it in {@code frameArray/Offset/Length}. */
  final void completeFrame() {
    long len = frameBytes();
    if (cur == head) {
      frameArray = src;
      frameOffset = frameStart;
    } else {
      if (len > MAX_FRAME) {
        throw frameTooBig();
      }
      byte[] out = new byte[(int) len];
      int o = 0;
      for (int i = head; i <= cur; i++) {
        int from = i == head ? frameStart : starts[i];
        int to = i == cur ? pos : ends[i];
        System.arraycopy(arrays[i], from, out, o, to - from);
        o += to - from;
      }
      frameArray = out;
      frameOffset = 0;
      release(cur);
    }
    frameLength = (int) len;
    inFrame = false;
  }

  /** Ends the current frame at the cursor without publishing it (Redis skips some requests). */
  final void skipFrame() {
    inFrame = false;
    release(cur);
  }

  private void release(int upTo) {
    for (int i = head; i < upTo; i++) {
      arrays[i] = null;
    }
    head = Math.max(head, upTo);
  }

  /**
   * The next complete frame, or null if more input is needed.
   *
   * @throws RespProtocolException on malformed input; the decoder is unusable afterwards
   */
  public final T next() {
    if (failure != null) {
      throw failure;
    }
    try {
      return decode();
    } catch (RespProtocolException e) {
      throw fail(e);
    }
  }

  /** Decodes the next frame from the chunks fed so far, or returns null when one is incomplete. */
  abstract T decode();

  /** Records the failure and drops all input so a dead connection holds no memory. */
  final RespProtocolException fail(RespProtocolException e) {
    failure = e;
    java.util.Arrays.fill(arrays, null);
    head = tail = 0;
    cur = -1;
    src = NONE;
    pos = end = 0;
    frameArray = null;
    inFrame = false;
    return e;
  }

  abstract RespProtocolException frameTooBig();

  /**
   * Parses {@code a[from..to)} exactly as Redis's {@code string2ll} does: optional '-', no '+', no
   * leading zeros, no spaces, at most 20 characters, no overflow. Returns false if invalid.
   */
  final boolean parseLong(byte[] a, int from, int to) {
    int len = to - from;
    if (len <= 0 || len >= 21) {
      return false;
    }
    if (len == 1 && a[from] == '0') {
      parsed = 0;
      return true;
    }
    int p = from;
    boolean negative = a[p] == '-';
    if (negative && ++p == to) {
      return false;
    }
    int d = a[p] - '0';
    if (d < 1 || d > 9) {
      return false;
    }
    // Accumulate negatively so that Long.MIN_VALUE is reachable.
    long v = -d;
    while (++p < to) {
      d = a[p] - '0';
      if (d < 0 || d > 9 || v < Long.MIN_VALUE / 10) {
        return false;
      }
      v *= 10;
      if (v < Long.MIN_VALUE + d) {
        return false;
      }
      v -= d;
    }
    if (!negative && v == Long.MIN_VALUE) {
      return false;
    }
    parsed = negative ? v : -v;
    return true;
  }
}
