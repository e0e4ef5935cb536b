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
 * server on connect (redis-cli asks for DOCS, some clients for INFO or COUNT).
 */
final class CommandIntrospection {
  private CommandIntrospection() {}

  static void execute(Command cmd, CommandSpec spec, RespWriter w, Pending p) {
    switch (spec.name()) {
      case "command" -> writeInfos(w, new ArrayList<>(CommandTable.commands()));
      case "command|count" -> w.writeInteger(CommandTable.commands().size());
      case "command|list" -> {
        List<CommandSpec> all = CommandTable.all();
        w.writeArrayHeader(all.size());
        for (CommandSpec c : all) {
          w.writeBulk(c.name());
        }
      }
      case "command|info" -> {
        List<CommandSpec> specs = new ArrayList<>();
        for (int i = 2; i < cmd.argc(); i++) {
          specs.add(CommandTable.lookup(cmd.string(i)));
        }
        if (cmd.argc() == 2) {
          specs.addAll(CommandTable.commands());
        }
        writeInfos(w, specs);
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
        w.writeArrayHeader(specs.size() * 2);
        for (CommandSpec c : specs) {
          w.writeBulk(c.name()).writeArrayHeader(4)
              .writeBulk("since").writeBulk(c.since())
              .writeBulk("group").writeBulk(c.isRedisCommand() ? "generic" : "rekko");
        }
      }
      case "command|getkeys", "command|getkeysandflags" -> getKeys(cmd, spec, w, p);
      default -> p.completeError("ERR unknown subcommand '" + cmd.string(1) + "'. Try COMMAND HELP.");
    }
  }

  private static void getKeys(Command cmd, CommandSpec spec, RespWriter w, Pending p) {
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
    boolean withFlags = spec.name().equals("command|getkeysandflags");
    w.writeArrayHeader(n);
    for (int i = 0; i < n; i++) {
      if (withFlags) {
        w.writeArrayHeader(2).writeBulk(target.copy(keys[i])).writeArrayHeader(0);
      } else {
        w.writeBulk(target.copy(keys[i]));
      }
    }
  }

  private static void writeInfos(RespWriter w, List<CommandSpec> specs) {
    w.writeArrayHeader(specs.size());
    for (CommandSpec c : specs) {
      if (c == null) {
        w.writeNullArray();
        continue;
      }
      w.writeArrayHeader(10).writeBulk(c.name()).writeInteger(c.arity());
      w.writeArrayHeader(c.flags().size());
      for (CommandFlag f : c.flags()) {
        w.writeSimpleString(f.redisName());
      }
      w.writeInteger(c.firstKey()).writeInteger(c.lastKey()).writeInteger(c.step());
      w.writeArrayHeader(0).writeArrayHeader(0).writeArrayHeader(0);
      List<CommandSpec> subs = new ArrayList<>(c.subcommands());
      writeInfos(w, subs);
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
