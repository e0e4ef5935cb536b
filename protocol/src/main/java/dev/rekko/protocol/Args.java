package dev.rekko.protocol;

/**
 * A command's arguments as slices of byte arrays, so the hot path can look at names and keys without
 * copying them. Argument 0 is the command name. Implementations may share one backing array for all
 * arguments; callers must not modify the bytes.
 */
public interface Args {
  int argc();

  byte[] array(int i);

  int offset(int i);

  int length(int i);

  /** A copy of argument {@code i}; for slow paths and tests. */
  default byte[] copy(int i) {
    byte[] out = new byte[length(i)];
    System.arraycopy(array(i), offset(i), out, 0, out.length);
    return out;
  }

  /** Argument {@code i} as text (ISO-8859-1, so every byte maps to one char); for slow paths and tests. */
  default String string(int i) {
    return new String(array(i), offset(i), length(i), java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** Whether argument {@code i} equals {@code upper} ignoring ASCII case; {@code upper} must be upper case. */
  default boolean is(int i, String upper) {
    int len = length(i);
    if (len != upper.length()) {
      return false;
    }
    byte[] a = array(i);
    int off = offset(i);
    for (int k = 0; k < len; k++) {
      int c = a[off + k];
      if (c >= 'a' && c <= 'z') {
        c -= 32;
      }
      if (c != upper.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** Arguments held as separate arrays; convenient for tests and commands the proxy builds itself. */
  static Args of(byte[]... argv) {
    return new Arrays(argv);
  }

  /** Arguments held as separate arrays, one per argument. */
  class Arrays implements Args {
    private final byte[][] argv;

    public Arrays(byte[][] argv) {
      this.argv = argv;
    }

    @Override
    public int argc() {
      return argv.length;
    }

    @Override
    public byte[] array(int i) {
      return argv[i];
    }

    @Override
    public int offset(int i) {
      return 0;
    }

    @Override
    public int length(int i) {
      return argv[i].length;
    }
  }

  static Args of(String... argv) {
    byte[][] bytes = new byte[argv.length][];
    for (int i = 0; i < argv.length; i++) {
      bytes[i] = argv[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    return of(bytes);
  }
}
