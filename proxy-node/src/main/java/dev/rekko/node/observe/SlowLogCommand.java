package dev.rekko.node.observe;

import dev.rekko.protocol.Args;
import dev.rekko.protocol.resp.RespWriter;

/**
 * SLOWLOG GET [count], LEN, RESET and HELP on the node's own {@link SlowLog}, with Redis 7.0's replies and
 * errors. An entry of GET has a seventh element Redis's has not: the backend server ({@code host:port})
 * that answered the command, empty when the node answered it itself. Arity errors come from the command
 * table before this runs.
 */
public final class SlowLogCommand {
  private static final String[] HELP = {
      "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name, and (Rekko) the backend server that answered it",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
      "HELP",
      "    Prints this help."};

  private SlowLogCommand() {}

  /** Writes the reply of {@code cmd} (SLOWLOG and a subcommand) into {@code w}; returns an error text instead, or null. */
  public static String execute(SlowLog log, Args cmd, RespWriter w) {
    if (cmd.is(1, "LEN")) {
      w.writeInteger(log.len());
    } else if (cmd.is(1, "RESET")) {
      log.reset();
      w.writeSimpleString("OK");
    } else if (cmd.is(1, "HELP")) {
      w.writeArrayHeader(HELP.length);
      for (String line : HELP) {
        w.writeSimpleString(line);
      }
    } else {
      if (cmd.argc() > 3) {
        return "ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.";
      }
      long count = 10;
      if (cmd.argc() == 3) {
        try {
          String text = cmd.string(2);
          // Redis's number parsing takes no sign but '-'.
          count = text.startsWith("+") ? -2 : Long.parseLong(text);
        } catch (NumberFormatException e) {
          count = -2;
        }
        if (count < -1) {
          return "ERR count should be greater than or equal to -1";
        }
      }
      write(log, count, w);
    }
    return null;
  }

  private static void write(SlowLog log, long count, RespWriter w) {
    var entries = log.newest(count);
    w.writeArrayHeader(entries.size());
    for (SlowLog.Entry e : entries) {
      w.writeArrayHeader(7).writeInteger(e.id()).writeInteger(e.unixSeconds()).writeInteger(e.durationMicros());
      w.writeArrayHeader(e.args().length);
      for (byte[] arg : e.args()) {
        w.writeBulk(arg, 0, arg.length);
      }
      // The client name holds one char per byte, as the client sent it.
      w.writeBulk(e.client()).writeBulk(e.clientName().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))
          .writeBulk(e.backend());
    }
  }
}
