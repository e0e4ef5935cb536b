package dev.rekko.node.consistency;

/**
 * One thing the checker caught, with enough detail to find it in the logs of the nodes and servers.
 *
 * @param kind what went wrong
 * @param key the key, e.g. {@code cc:{17}:counter}
 * @param db the database the key lives in
 * @param expected what the books allow, e.g. {@code 40..42} or {@code >= 3:17}
 * @param actual what was read or replied
 * @param when which check saw it: {@code check #2}, {@code final check}, or {@code client 3}
 */
public record Finding(Kind kind, String key, int db, String expected, String actual, String when) {

  public enum Kind {
    /** Acknowledged writes are missing from the value read. */
    LOST,
    /** The value holds more than every write that may have happened can explain. */
    EXTRA,
    /** A client read its own key and saw less than it had already written or seen. */
    READ_YOUR_WRITES,
    /** Verification could not read the key before its deadline. */
    UNVERIFIED
  }

  @Override
  public String toString() {
    return kind + " " + key + (db == 0 ? "" : " (db " + db + ")") + ": expected " + expected
        + ", got " + actual + " [" + when + "]";
  }
}
