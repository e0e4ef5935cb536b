package dev.rekko.protocol.resp;

/**
 * One decoded reply frame: a complete top-level value as the raw bytes it arrived as, so that the
 * proxy can forward it untouched and match replies to requests in order. {@link #value()} builds the
 * value tree on demand.
 *
 * <p>The bytes are shared with the decoder's input (or with one array the decoder assembled for a
 * frame that spanned chunks) and stay valid for as long as the reply is referenced; nobody may
 * modify them.
 */
public final class Reply {
  private final byte[] frame;
  private final int offset;
  private final int length;
  private final byte valueType;

  Reply(byte[] frame, int offset, int length, byte valueType) {
    this.frame = frame;
    this.offset = offset;
    this.length = length;
    this.valueType = valueType;
  }

  /** The frame's first byte, e.g. {@code '+'}, {@code '$'}, or {@code '|'} for an attributed value. */
  public byte type() {
    return frame[offset];
  }

  /** The type byte of the value itself, after any attribute: equal to {@link #type()} otherwise. */
  public byte valueType() {
    return valueType;
  }

  /** An error reply ({@code -} or RESP3's bulk error {@code !}). */
  public boolean isError() {
    return valueType == '-' || valueType == '!';
  }

  /**
   * A RESP3 push ({@code >}): out-of-band data such as a pub/sub message, which answers no request
   * and must not be matched against the pending ones.
   */
  public boolean isPush() {
    return valueType == '>';
  }

  public byte[] frameArray() {
    return frame;
  }

  public int frameOffset() {
    return offset;
  }

  public int frameLength() {
    return length;
  }

  /** A copy of the frame. */
  public byte[] toByteArray() {
    return java.util.Arrays.copyOfRange(frame, offset, offset + length);
  }

  /** Appends the frame, as it arrived, to {@code out}. */
  public void writeTo(RespWriter out) {
    out.writeRaw(frame, offset, length);
  }

  /** The frame as a value tree, built anew on each call; the decoder validated it already. */
  public RespValue value() {
    return new ValueReader(frame, offset).read();
  }

  /** The raw frame, for logs and tests; long ones are cut. */
  @Override
  public String toString() {
    return RespText.quote(new StringBuilder("Reply["), frame, offset, length, 128).append(']').toString();
  }
}
