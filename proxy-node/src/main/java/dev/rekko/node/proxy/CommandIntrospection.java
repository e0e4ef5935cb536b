package dev.rekko.node.proxy;

import dev.rekko.protocol.Args;
import dev.rekko.protocol.command.CommandFlag;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.command.CommandTable;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.RespWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * COMMAND and its subcommands, answered from Rekko's command table: enough for clients that probe the
 * server on connect (redis-cli asks for DOCS, some clients for INFO or COUNT). What the table does not
 * hold — the ACL categories of {@code COMMAND LIST FILTERBY ACLCAT}, the key flags of
 * {@code COMMAND GETKEYSANDFLAGS} — is asked of a master ({@link LocalCommands#toAnyMaster}). Shapes follow
 * Redis 7.0 in the session's protocol: in RESP3 flags, categories, tips, key specs and an empty list of
 * subcommands are sets, DOCS a map, an unknown command's INFO null.
 */
final class CommandIntrospection {
  private CommandIntrospection() {}

  /** Answers with {@code w} or {@code p}; true when the reply comes later, from a master. */
  static boolean execute(Session s, Command cmd, CommandSpec spec, RespWriter w, Pending p) {
    int protocol = s.protocol();
    switch (spec.name()) {
      case "command" -> writeInfos(w, protocol, new ArrayList<>(CommandTable.commands()));
      case "command|count" -> w.writeInteger(CommandTable.commands().size());
      case "command|list" -> {
        return list(s, cmd, w, p);
      }
      case "command|info" -> {
        List<CommandSpec> specs = new ArrayList<>();
        for (int i = 2; i < cmd.argc(); i++) {
          specs.add(CommandTable.lookup(cmd.string(i)));
        }
        if (cmd.argc() == 2) {
          specs.addAll(CommandTable.commands());
        }
        writeInfos(w, protocol, specs);
      }
      case "command|docs" -> {
        List<CommandSpec> specs = new ArrayList<>();
        for (int i = 2; i < cmd.argc(); i++) {
          CommandSpec c = CommandTable.lookup(cmd.string(i));
          if (c != null) {
            specs.add(c);
          }
        }
        if (cmd.argc() == 2) {
          specs.addAll(CommandTable.commands());
        }
        Replies.writeMapHeader(w, protocol, specs.size());
        for (CommandSpec c : specs) {
          w.writeBulk(c.name());
          Replies.writeMapHeader(w, protocol, 2)
              .writeBulk("since").writeBulk(c.since())
              .writeBulk("group").writeBulk(c.isRedisCommand() ? "generic" : "rekko");
        }
      }
      case "command|getkeys" -> getKeys(cmd, w, p);
      case "command|getkeysandflags" -> {
        // Validated here (same errors as GETKEYS), the flags are Redis's own.
        getKeys(cmd, new RespWriter(64), p);
        if (!p.done) {
          LocalCommands.toAnyMaster(s, cmd, p);
          return true;
        }
      }
      default -> p.completeError("ERR unknown subcommand '" + cmd.string(1) + "'. Try COMMAND HELP.");
    }
    return false;
  }

  /**
   * COMMAND LIST [FILTERBY MODULE m | ACLCAT c | PATTERN p]: the table's commands and subcommands; no
   * module's (Rekko knows of none); ACLCAT asked of a master, whose table is Redis's.
   */
  private static boolean list(Session s, Command cmd, RespWriter w, Pending p) {
    if (cmd.argc() == 2) {
      writeNames(w, CommandTable.all());
      return false;
    }
    if (cmd.argc() != 5 || !cmd.is(2, "FILTERBY")) {
      p.completeError(dev.rekko.protocol.Errors.SYNTAX);
      return false;
    }
    if (cmd.is(3, "MODULE")) {
      w.writeArrayHeader(0);
    } else if (cmd.is(3, "ACLCAT")) {
      LocalCommands.toAnyMaster(s, cmd, p);
      return true;
    } else if (cmd.is(3, "PATTERN")) {
      byte[] pattern = cmd.string(4).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      List<CommandSpec> matching = new ArrayList<>();
      for (CommandSpec c : CommandTable.all()) {
        if (Glob.matches(pattern, c.name().getBytes(java.nio.charset.StandardCharsets.UTF_8), true)) {
          matching.add(c);
        }
      }
      writeNames(w, matching);
    } else {
      p.completeError(dev.rekko.protocol.Errors.SYNTAX);
    }
    return false;
  }

  private static void writeNames(RespWriter w, List<CommandSpec> specs) {
    w.writeArrayHeader(specs.size());
    for (CommandSpec c : specs) {
      w.writeBulk(c.name());
    }
  }

  private static void getKeys(Command cmd, RespWriter w, Pending p) {
    Args target = shifted(cmd, 2);
    CommandSpec t = CommandTable.lookup(target);
    if (t == null) {
      p.completeError("ERR Invalid command specified");
      return;
    }
    if (!t.arityOk(target.argc())) {
      p.completeError("ERR Invalid number of arguments specified for command");
      return;
    }
    int[] keys = new int[target.argc()];
    int n = t.keyIndexes(target, keys);
    if (n < 0) {
      p.completeError(t.keyError(n));
      return;
    }
    if (n == 0) {
      p.completeError("ERR The command has no key arguments");
      return;
    }
    w.writeArrayHeader(n);
    for (int i = 0; i < n; i++) {
      w.writeBulk(target.copy(keys[i]));
    }
  }

  private static void writeInfos(RespWriter w, int protocol, List<CommandSpec> specs) {
    w.writeArrayHeader(specs.size());
    for (CommandSpec c : specs) {
      if (c == null) {
        // Redis's addReplyNull: $-1 in RESP2, not *-1.
        Replies.writeNullBulk(w, protocol);
        continue;
      }
      w.writeArrayHeader(10).writeBulk(c.name()).writeInteger(c.arity());
      Replies.writeSetHeader(w, protocol, c.flags().size());
      for (CommandFlag f : c.flags()) {
        w.writeSimpleString(f.redisName());
      }
      w.writeInteger(c.firstKey()).writeInteger(c.lastKey()).writeInteger(c.step());
      // ACL categories, tips, key specs: not in the table.
      Replies.writeSetHeader(w, protocol, 0);
      Replies.writeSetHeader(w, protocol, 0);
      Replies.writeSetHeader(w, protocol, 0);
      List<CommandSpec> subs = new ArrayList<>(c.subcommands());
      if (subs.isEmpty()) {
        Replies.writeSetHeader(w, protocol, 0);
      } else {
        writeInfos(w, protocol, subs);
      }
    }
  }

  /** The arguments from {@code from} on, as a command of their own. */
  static Args shifted(Args args, int from) {
    return new Args() {
      @Override
      public int argc() {
        return args.argc() - from;
      }

      @Override
      public byte[] array(int i) {
        return args.array(i + from);
      }

      @Override
      public int offset(int i) {
        return args.offset(i + from);
      }

      @Override
      public int length(int i) {
        return args.length(i + from);
      }
    };
  }
}
