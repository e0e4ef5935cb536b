package dev.rekko.node.proxy;

import dev.rekko.node.proxy.GroupServers.Target;
import dev.rekko.protocol.Errors;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespValue;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.ReplyHandler;
import dev.rekko.topology.Topology;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * CONFIG GET, SET and RESETSTAT through the node (see COMMANDS.md, "CONFIG, scripts and functions").
 *
 * <ul>
 *   <li>The slow log's two parameters are the node's own ({@link NodeConfigParameters}).
 *   <li>GET: asked of one master, the one of the lowest group id that has one, on the session's own
 *       connection; its reply is passed on unchanged (RESP3 sessions get Redis's RESP3 map).
 *   <li>SET: only the {@link ConfigParameters#ALLOWED data-structure parameters}, on every server of every
 *       group ({@link Broadcast}), remembered for servers that join later ({@link ServerSettings}).
 *       Another parameter Redis knows is refused before anything is sent; one Redis does not know gets
 *       Redis's own error, for which the first master is asked ({@code CONFIG GET name}).
 *   <li>RESETSTAT: the node's own command stats and client counters, and {@code CONFIG RESETSTAT} on every
 *       master.
 * </ul>
 */
final class ConfigCommand {
  private ConfigCommand() {}

  static void dispatch(Session s, Command cmd, CommandSpec spec, Pending p) {
    switch (spec.name()) {
      case "config|get" -> NodeConfigParameters.get(s, cmd, p);
      case "config|set" -> set(s, cmd, p);
      default -> resetStat(s, cmd, p);
    }
  }

  /**
   * Sends {@code cmd} to the master of the lowest group id that has one and passes its reply on; also
   * FUNCTION LIST, DUMP and STATS.
   */
  static void fromOne(Session s, Command cmd, Pending p) {
    Topology t = Broadcast.topology(s, p);
    if (t == null) {
      return;
    }
    Target first = GroupServers.first(t);
    if (first == null) {
      int noMaster = GroupServers.noMaster(t);
      p.completeError(noMaster != 0 ? KeyspaceGroups.noMasterError(noMaster) : Broadcast.NO_GROUP);
      return;
    }
    s.forward(first.server(), cmd, p, false);
  }

  private static void set(Session s, Command cmd, Pending p) {
    if ((cmd.argc() & 1) == 1) {
      p.completeError(Errors.SYNTAX);
      return;
    }
    Runnable[] nodes = new Runnable[1];
    cmd = NodeConfigParameters.set(s, cmd, p, nodes);
    if (cmd == null) {
      return;
    }
    List<Target> targets = Broadcast.targets(s, p, true);
    if (targets == null) {
      return;
    }
    String[] pairs = new String[cmd.argc() - 2];
    for (int i = 0; i < pairs.length; i++) {
      pairs[i] = cmd.string(i + 2);
    }
    for (int i = 0; i < pairs.length; i += 2) {
      if (!ConfigParameters.allowed(pairs[i])) {
        refuse(s, targets.get(0), pairs[i], p);
        return;
      }
    }
    ServerSettings settings = s.ctx().settings;
    Broadcast.send(s, cmd, targets, false, p, replies -> {
      for (int i = 0; i < pairs.length; i += 2) {
        settings.configured(pairs[i], pairs[i + 1]);
      }
      nodes[0].run();
      return Broadcast.OK;
    });
  }

  /** Answers Rekko's refusal when Redis knows {@code name}, else Redis's "unknown option". */
  private static void refuse(Session s, Target master, String name, Pending p) {
    if (ConfigParameters.isPattern(name)) {
      p.completeError(ConfigParameters.unknown(name));
      return;
    }
    byte[] get = new RespWriter(32).writeCommand("CONFIG".getBytes(StandardCharsets.US_ASCII),
        "GET".getBytes(StandardCharsets.US_ASCII), name.getBytes(StandardCharsets.ISO_8859_1)).toByteArray();
    s.send(master.server(), get, 0, get.length, new ReplyHandler() {
      @Override
      public void onReply(Reply reply) {
        RespValue v = reply.value();
        boolean known = v instanceof RespValue.Array a && !a.elements().isEmpty()
            || v instanceof RespValue.Map m && !m.entries().isEmpty();
        p.onFailure(reply.isError() ? Gather.errorText(reply)
            : known ? ConfigParameters.refused(name) : ConfigParameters.unknown(name));
      }

      @Override
      public void onFailure(String error) {
        p.onFailure(error);
      }
    }, false);
  }

  private static void resetStat(Session s, Command cmd, Pending p) {
    List<Target> masters = Broadcast.targets(s, p, false);
    if (masters == null) {
      return;
    }
    s.ctx().stats.resetCommands();
    ClientMemory m = s.ctx().memory;
    m.evictedClients.set(0);
    m.outputLimitDisconnections.set(0);
    m.queryLimitDisconnections.set(0);
    Broadcast.send(s, cmd, masters, false, p, replies -> Broadcast.OK);
  }
}
