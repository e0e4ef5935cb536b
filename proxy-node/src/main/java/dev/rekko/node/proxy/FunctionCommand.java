package dev.rekko.node.proxy;

import dev.rekko.node.proxy.GroupServers.Target;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.resp.Command;
import java.util.List;

/**
 * FUNCTION through the node, so that FCALL works for keys in every group.
 *
 * <ul>
 *   <li>LOAD [REPLACE], DELETE, FLUSH [ASYNC|SYNC], RESTORE payload [FLUSH|APPEND|REPLACE]: on every
 *       master; Redis replicates these to the replicas itself. LOAD answers the library's name, as Redis.
 *   <li>LIST, DUMP, STATS: from one master, the one of the lowest group id that has one, passed on.
 *       STATS's {@code running_script} is that server's only.
 *   <li>KILL: {@link KillAny}.
 * </ul>
 * A master that joins later gets the functions of an existing master ({@link ServerReplay}).
 */
final class FunctionCommand {
  private FunctionCommand() {}

  static void dispatch(Session s, Command cmd, CommandSpec spec, Pending p) {
    switch (spec.name()) {
      case "function|list", "function|dump", "function|stats" -> ConfigCommand.fromOne(s, cmd, p);
      case "function|kill" -> KillAny.dispatch(s, cmd, p);
      default -> {
        List<Target> masters = Broadcast.targets(s, p, false);
        if (masters != null) {
          boolean load = spec.name().equals("function|load");
          Broadcast.send(s, cmd, masters, spec.mayWrite(), p,
              replies -> load ? replies[0].toByteArray() : Broadcast.OK);
        }
      }
    }
  }
}
