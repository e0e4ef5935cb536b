package dev.rekko.redis.migrate;

import dev.rekko.protocol.resp.RespValue;

/** How a MIGRATE reply is read: by the mover, and by a node's data path moving a command's keys. */
public final class MigrateReplies {
  /**
   * Moved some keys; none was there; the target already holds some of them (the others moved, those
   * stay on the source: see {@link MigrateReplies#BUSY_KEY}); worth another try (a timeout, a busy
   * server); a lasting refusal.
   */
  public enum Kind { MOVED, NO_KEY, BUSY_KEY, RETRY, FAIL }

  /**
   * Redis's answer to a {@code RESTORE} without {@code REPLACE} of a key the server holds; {@code MIGRATE}
   * passes it on behind {@code "ERR Target instance replied with error: "}. During a migration a key on
   * the target is at least as new as any copy left on the source (once a key has reached the target,
   * every write goes there), so the source's copy is stale or the same value: the mover and the data
   * path delete it from the source, and never write over the target's.
   */
  public static final String BUSY_KEY = "BUSYKEY";

  private static final String FROM_TARGET = "ERR Target instance replied with error: ";

  private MigrateReplies() {}

  /** Whether {@code reply} (a MIGRATE's, or a RESTORE's inside an EXEC) says the target held the key. */
  public static boolean busyKey(RespValue reply) {
    return classify(reply) == Kind.BUSY_KEY;
  }

  public static Kind classify(RespValue reply) {
    if (reply instanceof RespValue.SimpleString s) {
      return switch (s.value()) {
        case "OK" -> Kind.MOVED;
        case "NOKEY" -> Kind.NO_KEY;
        default -> Kind.FAIL;
      };
    }
    if (reply instanceof RespValue.Error e) {
      String m = e.message();
      // IOERR: the source could not talk to the target in time. Keys it had not yet deleted are
      // still on the source; a repeat finds those the target did receive there (BUSY_KEY).
      if (m.startsWith("IOERR")) {
        return Kind.RETRY;
      }
      String cause = m.startsWith(FROM_TARGET) ? m.substring(FROM_TARGET.length()) : m;
      if (cause.startsWith(BUSY_KEY)) {
        return Kind.BUSY_KEY;
      }
      // A server busy with a script, loading its data or briefly not a writable master gets better.
      if (cause.startsWith("LOADING") || cause.startsWith("BUSY ") || cause.startsWith("TRYAGAIN")
          || cause.startsWith("MASTERDOWN")) {
        return Kind.RETRY;
      }
    }
    return Kind.FAIL;
  }

  public static String describe(RespValue reply) {
    if (reply instanceof RespValue.Error e) {
      return e.message();
    }
    if (reply instanceof RespValue.SimpleString s) {
      return "unexpected reply " + s.value();
    }
    return "unexpected reply " + reply;
  }
}
