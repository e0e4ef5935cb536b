package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.RespWriter;

/**
 * The CLIENT subcommands, answered from the node's own sessions: a client's connection is to the node,
 * never to a backend (those are shared), so the node is what CLIENT describes, names and kills.
 */
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
        s.client().rename(name);
        w.writeSimpleString("OK");
      }
      case "client|getname" -> {
        if (s.client().name() == null) {
          Replies.writeNullBulk(w, s.protocol());
        } else {
          w.writeBulk(s.client().name());
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
          s.client().libName(value);
        } else if (cmd.is(2, "LIB-VER")) {
          s.client().libVersion(value);
        } else {
          p.completeError("ERR Unrecognized option '" + cmd.string(2) + "'");
          return;
        }
        w.writeSimpleString("OK");
      }
      case "client|info" -> Replies.writeText(w, s.protocol(), ClientList.describe(s) + "\n");
      case "client|list" -> {
        String error = ClientList.list(s, cmd, w);
        if (error != null) {
          p.completeError(error);
        }
      }
      case "client|kill" -> {
        String error = ClientList.kill(s, cmd, w);
        if (error != null) {
          p.completeError(error);
        }
      }
      case "client|no-evict", "client|no-touch" -> {
        Boolean on = onOff(cmd);
        if (on == null) {
          p.completeError(Errors.SYNTAX);
          return;
        }
        if (spec.name().equals("client|no-evict")) {
          s.client().noEvict(on);
        } else {
          s.client().noTouch(on);
        }
        w.writeSimpleString("OK");
      }
      case "client|reply" -> reply(s, cmd, w, p);
      default -> p.completeError(Errors.notAllowed(spec.displayName()));
    }
  }

  /**
   * CLIENT REPLY ON|OFF|SKIP, as Redis: OFF and SKIP are not answered themselves; SKIP silences the next
   * command too; ON answers OK. A silenced reply keeps its place in the reply queue, with no bytes.
   */
  private static void reply(Session s, Command cmd, RespWriter w, Pending p) {
    if (cmd.is(2, "ON")) {
      s.client().replyMode(ClientState.REPLY_ON);
      p.silent = false;
      w.writeSimpleString("OK");
    } else if (cmd.is(2, "OFF")) {
      s.client().replyMode(ClientState.REPLY_OFF);
      p.silent = true;
      w.writeSimpleString("OK");
    } else if (cmd.is(2, "SKIP")) {
      if (s.client().replyMode() != ClientState.REPLY_OFF) {
        s.client().replyMode(ClientState.REPLY_SKIP);
      }
      p.silent = true;
      w.writeSimpleString("OK");
    } else {
      p.completeError(Errors.SYNTAX);
    }
  }

  private static Boolean onOff(Command cmd) {
    if (cmd.is(2, "ON")) {
      return true;
    }
    return cmd.is(2, "OFF") ? false : null;
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
    return "id=" + s.id() + " addr=" + s.remote() + " name=" + (s.client().name() == null ? "" : s.client().name());
  }
}
