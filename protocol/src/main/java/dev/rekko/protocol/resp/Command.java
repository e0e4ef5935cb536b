package dev.rekko.protocol.resp;

import dev.rekko.protocol.Args;
import java.util.Objects;

/**
 * One decoded request: its arguments as slices (see {@link Args}) and the raw frame it was decoded
 * from, so that the proxy can forward a RESP command to a backend byte for byte.
 *
 * <p>The bytes are shared with the decoder's input (or with one array the decoder assembled for a
 * frame that spanned chunks) and stay valid for as long as the command is referenced; nobody may
 * modify them.
 */
public final class Command implements Args {
  private final byte[] frame;
  private final int frameOffset;
  private final int frameLength;
  private final byte[] args;
  private final int argsBase;
  /** Offset relative to {@code argsBase}, then length, for each argument. */
  private final int[] argv;
  private final int argc;
  private final boolean inline;

  Command(byte[] frame, int frameOffset, int frameLength, byte[] args, int argsBase, int[] argv, int argc,
      boolean inline) {
    this.frame = frame;
    this.frameOffset = frameOffset;
    this.frameLength = frameLength;
    this.args = args;
    this.argsBase = argsBase;
    this.argv = argv;
    this.argc = argc;
    this.inline = inline;
  }

  @Override
  public int argc() {
    return argc;
  }

  @Override
  public byte[] array(int i) {
    Objects.checkIndex(i, argc);
    return args;
  }

  @Override
  public int offset(int i) {
    Objects.checkIndex(i, argc);
    return argsBase + argv[2 * i];
  }

  @Override
  public int length(int i) {
    Objects.checkIndex(i, argc);
    return argv[2 * i + 1];
  }

  /**
   * Whether this came as an inline line rather than RESP. Its frame is then the raw line including
   * its newline, which a backend would parse the same way but which is not RESP: forward it with
   * {@link #writeTo(RespWriter)}.
   */
  public boolean isInline() {
    return inline;
  }

  /** The array holding the raw frame: a chunk that was fed, or an array assembled for this frame. */
  public byte[] frameArray() {
    return frame;
  }

  public int frameOffset() {
    return frameOffset;
  }

  public int frameLength() {
    return frameLength;
  }

  /**
   * Appends this command as a RESP multibulk: its original frame when it has one, since a backend
   * accepts it exactly as the decoder did, otherwise (inline) an encoding of its arguments.
   */
  public void writeTo(RespWriter out) {
    if (inline) {
      out.writeCommand(this);
    } else {
      out.writeRaw(frame, frameOffset, frameLength);
    }
  }

  /** The arguments, for logs and tests, e.g. {@code [SET, "k", "v\r\n"]}; long ones are cut. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(inline ? "inline[" : "[");
    for (int i = 0; i < argc; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      RespText.quote(sb, args, offset(i), length(i), 64);
    }
    return sb.append(']').toString();
  }
}
