package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespValue;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * DBSIZE and INFO: asked of every group's master (in the session's database) and combined, so the
 * client sees one Redis: key counts are summed, INFO gets a proxy section and a summed keyspace. The
 * other keyspace-wide commands have classes of their own, chosen here: {@link FlushCommand},
 * {@link KeysCommand}, {@link RandomKeyCommand}, {@link ScanCommand}; so do the commands for every
 * server: {@link ConfigCommand}, {@link ScriptCommand}, {@link FunctionCommand}.
 */
final class FanoutCommand extends Gather {
  private final Session session;
  private final boolean info;
  private final java.util.Set<String> sections;
  // The protocol when the command was sent: a HELLO pipelined after it does not change its reply.
  private final int protocol;

  private FanoutCommand(Session session, Pending target, boolean info, java.util.Set<String> sections, int parts) {
    super(target, parts);
    this.session = session;
    this.info = info;
    this.sections = sections;
    this.protocol = session.protocol();
  }

  static void dispatch(Session s, Command cmd, CommandSpec spec, Pending p) {
    RoutingTable table = s.ctx().router.table();
    if (table == null) {
      p.completeError(s.ctx().router.refusal());
      return;
    }
    switch (spec.name()) {
      case "flushdb", "flushall" -> {
        FlushCommand.dispatch(s, cmd, spec, p, table);
        return;
      }
      case "keys" -> {
        KeysCommand.dispatch(s, cmd, p);
        return;
      }
      case "randomkey" -> {
        RandomKeyCommand.dispatch(s, cmd, p, table);
        return;
      }
      case "scan" -> {
        ScanCommand.dispatch(s, cmd, p, table);
        return;
      }
      case "config|get", "config|set", "config|resetstat" -> {
        ConfigCommand.dispatch(s, cmd, spec, p);
        return;
      }
      case "script|load", "script|exists", "script|flush", "script|kill" -> {
        ScriptCommand.dispatch(s, cmd, spec, p);
        return;
      }
      case "function|load", "function|delete", "function|flush", "function|restore", "function|list",
          "function|dump", "function|stats", "function|kill" -> {
        FunctionCommand.dispatch(s, cmd, spec, p);
        return;
      }
      default -> { }
    }
    boolean info = spec.name().equals("info");
    java.util.Set<String> sections = info ? InfoText.sections(cmd) : java.util.Set.of();
    if (info && !InfoText.wantsKeyspace(sections)) {
      p.complete(Replies.text(s.protocol(), InfoText.render(s, sections, Map.of())));
      return;
    }
    List<BackendAddress> masters = table.masters();
    if (masters.isEmpty()) {
      p.complete(info ? Replies.text(s.protocol(), InfoText.render(s, sections, Map.of()))
          : ":0\r\n".getBytes(StandardCharsets.US_ASCII));
      return;
    }
    FanoutCommand f = new FanoutCommand(s, p, info, sections, masters.size());
    byte[] request = new RespWriter(32).writeCommand(info ? new byte[][] {bytes("INFO"), bytes("keyspace")}
        : new byte[][] {bytes("DBSIZE")}).toByteArray();
    for (int i = 0; i < masters.size(); i++) {
      s.send(masters.get(i), request, 0, request.length, f.part(i), false);
    }
  }

  @Override
  byte[] merge() {
    byte[] out;
    if (info) {
      Map<String, long[]> keyspace = new TreeMap<>();
      for (Reply r : replies) {
        InfoText.sumKeyspace(Replies.textOf(r.value()), keyspace);
      }
      out = Replies.text(protocol, InfoText.render(session, sections, keyspace));
    } else {
      long sum = 0;
      for (Reply r : replies) {
        sum += ((RespValue.Integer) r.value()).value();
      }
      out = (":" + sum + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
