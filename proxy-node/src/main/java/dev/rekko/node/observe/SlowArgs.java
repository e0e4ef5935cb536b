package dev.rekko.node.observe;

import dev.rekko.protocol.Args;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A command's arguments as a slow-log entry shows them, as Redis 7.0 does: at most 32, the last of them
 * then {@code ... (N more arguments)}; each at most 128 bytes, followed by {@code ... (N more bytes)}; and
 * secrets as {@code (redacted)}: AUTH's arguments, HELLO's and MIGRATE's AUTH/AUTH2 credentials, CONFIG
 * SET's values of masterauth, masteruser and requirepass, ACL SETUSER's rules.
 */
public final class SlowArgs {
  static final int MAX_ARGC = 32;
  static final int MAX_BYTES = 128;
  private static final byte[] REDACTED = ascii("(redacted)");

  private SlowArgs() {}

  /**
   * The arguments of a request too big to keep referenced until its reply (its frame would stay in
   * memory that long), rendered at dispatch; {@link #of} returns them as they are.
   */
  public static final class Preview extends Args.Arrays {
    private final byte[][] argv;

    Preview(byte[][] argv) {
      super(argv);
      this.argv = argv;
    }
  }

  /** The rendered arguments of {@code args}, kept instead of them. */
  public static Preview preview(Args args) {
    return new Preview(of(args));
  }

  public static byte[][] of(Args args) {
    if (args instanceof Preview p) {
      return p.argv;
    }
    int argc = args.argc();
    boolean[] redacted = redacted(args);
    int shown = Math.min(argc, MAX_ARGC);
    byte[][] out = new byte[shown][];
    for (int i = 0; i < shown; i++) {
      if (i == MAX_ARGC - 1 && argc > MAX_ARGC) {
        out[i] = ascii("... (" + (argc - MAX_ARGC + 1) + " more arguments)");
      } else if (redacted != null && redacted[i]) {
        out[i] = REDACTED;
      } else if (args.length(i) > MAX_BYTES) {
        byte[] more = ascii("... (" + (args.length(i) - MAX_BYTES) + " more bytes)");
        byte[] cut = Arrays.copyOfRange(args.array(i), args.offset(i), args.offset(i) + MAX_BYTES + more.length);
        System.arraycopy(more, 0, cut, MAX_BYTES, more.length);
        out[i] = cut;
      } else {
        out[i] = args.copy(i);
      }
    }
    return out;
  }

  /** Which arguments hold secrets; null when none do. */
  private static boolean[] redacted(Args a) {
    int argc = a.argc();
    boolean[] r = null;
    if (a.is(0, "AUTH")) {
      r = new boolean[argc];
      Arrays.fill(r, 1, argc, true);
    } else if (a.is(0, "HELLO") || a.is(0, "MIGRATE")) {
      for (int i = 1; i < argc; i++) {
        int n = a.is(i, "AUTH") ? (a.is(0, "HELLO") ? 2 : 1) : a.is(i, "AUTH2") ? 2 : 0;
        for (int k = 1; k <= n && i + k < argc; k++) {
          r = mark(r, argc, i + k);
        }
        i += n;
      }
    } else if (argc > 2 && a.is(0, "CONFIG") && a.is(1, "SET")) {
      for (int i = 2; i + 1 < argc; i += 2) {
        if (a.is(i, "MASTERAUTH") || a.is(i, "MASTERUSER") || a.is(i, "REQUIREPASS")) {
          r = mark(r, argc, i + 1);
        }
      }
    } else if (argc > 3 && a.is(0, "ACL") && a.is(1, "SETUSER")) {
      r = new boolean[argc];
      Arrays.fill(r, 3, argc, true);
    }
    return r;
  }

  private static boolean[] mark(boolean[] r, int argc, int i) {
    boolean[] out = r != null ? r : new boolean[argc];
    out[i] = true;
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
