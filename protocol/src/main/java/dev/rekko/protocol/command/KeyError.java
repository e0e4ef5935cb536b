package dev.rekko.protocol.command;

/**
 * Why the keys of an invocation could not be found. {@link CommandSpec#keyIndexes} returns these as
 * negative codes (so the hot path allocates nothing) and {@link CommandSpec#keyError} turns a code into the
 * error Redis itself sends for that command. In every case Redis would reject the command too.
 */
public enum KeyError {
  /** The numkeys argument is not an integer. */
  NUMKEYS_NOT_INTEGER,
  /** The numkeys argument is negative. */
  NUMKEYS_NEGATIVE,
  /** The numkeys argument is zero for a command that needs at least one key. */
  NUMKEYS_ZERO,
  /** The numkeys argument names more keys than there are arguments. */
  NUMKEYS_TOO_MANY,
  /** The arguments that locate the keys are malformed (e.g. XREAD without STREAMS). */
  SYNTAX,
  /** XREAD/XREADGROUP with an odd number of arguments after STREAMS. */
  UNBALANCED_STREAMS;

  /** The negative value {@code keyIndexes} returns for this error. */
  public int code() {
    return -1 - ordinal();
  }

  /** The error for a negative {@code keyIndexes} result. */
  public static KeyError ofCode(int code) {
    int i = -1 - code;
    if (i < 0 || i >= values().length) {
      throw new IllegalArgumentException("not a key error code: " + code);
    }
    return values()[i];
  }
}
