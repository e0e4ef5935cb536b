package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.RespWriter;

/** The CLIENT subcommands that clients send on connect, answered from the session's own state. */
final class ClientCommands {
  private ClientCommands() {}

  static void execute(Session s, Command cmd, CommandSpec spec, RespWriter w, Pending p) {
    switch (spec.name()) {
      case "client|setname" -> {
        String name = cmd.string(2);
        String error = validName(name);
        if (error != null) {
          p.completeError(error);
          return;
        }
        s.rename(name);
        w.writeSimpleString("OK");
      }
      case "client|getname" -> {
        if (s.name() == null) {
          w.writeNullBulk();
        } else {
          w.writeBulk(s.name());
        }
      }
      case "client|id" -> w.writeInteger(s.id());
      case "client|setinfo" -> {
        String value = cmd.string(3);
        if (cmd.is(2, "LIB-NAME")) {
          if (value.contains(" ") || value.contains("\n")) {
            p.completeError("ERR lib-name cannot contain spaces, newlines or special characters.");
            return;
          }
          s.libName(value);
        } else if (cmd.is(2, "LIB-VER")) {
          s.libVersion(value);
        } else {
          p.completeError("ERR Unrecognized option '" + cmd.string(2) + "'");
          return;
        }
        w.writeSimpleString("OK");
      }
      case "client|info" -> w.writeBulk(describe(s) + "\n");
      case "client|list" -> w.writeBulk(describe(s) + "\n");
      default -> p.completeError(Errors.notAllowed(spec.displayName()));
    }
  }

  /** Redis's rule for client names: printable ASCII without spaces. Null when valid. */
  static String validName(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < '!' || c > '~') {
        return "ERR Client names cannot contain spaces, newlines or special characters.";
      }
    }
    return null;
  }

  /** How logs name a client: {@code id=7 addr=10.0.0.5:53122 name=worker}. */
  static String who(Session s) {
    return "id=" + s.id() + " addr=" + s.remote() + " name=" + (s.name() == null ? "" : s.name());
  }

  /** One line in the shape of Redis's CLIENT INFO, with the fields a proxy can honestly fill. */
  static String describe(Session s) {
    long now = System.currentTimeMillis();
    return "id=" + s.id()
        + " addr=" + s.remote()
        + " name=" + (s.name() == null ? "" : s.name())
        + " age=" + (now - s.createdMillis()) / 1000
        + " db=" + s.db()
        + " qbuf=" + s.held().queryBytes()
        + " omem=" + s.held().owed()
        + " cmd=client|info"
        + " resp=2"
        + " lib-name=" + (s.libName() == null ? "" : s.libName())
        + " lib-ver=" + (s.libVersion() == null ? "" : s.libVersion());
  }
}
