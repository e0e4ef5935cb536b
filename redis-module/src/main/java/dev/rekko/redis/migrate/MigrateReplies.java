package dev.rekko.redis.migrate;

import dev.rekko.protocol.resp.RespValue;

/** How a MIGRATE reply is read: by the mover, and by a node's data path moving a command's keys. */
public final class MigrateReplies {
  /** Moved some keys; none was there; worth another try (a timeout, a busy server); a lasting refusal. */
  public enum Kind { MOVED, NO_KEY, RETRY, FAIL }

  private static final String FROM_TARGET = "ERR Target instance replied with error: ";

  private MigrateReplies() {}

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
      // still on the source, and a repeat with REPLACE overwrites whatever the target half-received.
      if (m.startsWith("IOERR")) {
        return Kind.RETRY;
      }
      String cause = m.startsWith(FROM_TARGET) ? m.substring(FROM_TARGET.length()) : m;
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
