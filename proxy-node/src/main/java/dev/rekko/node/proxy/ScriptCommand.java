package dev.rekko.node.proxy;

import dev.rekko.node.proxy.GroupServers.Target;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespValue;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * SCRIPT LOAD, EXISTS, FLUSH and KILL through the node, so that EVALSHA works for keys in every group.
 *
 * <ul>
 *   <li>LOAD: on every server of every group, replicas too (Redis does not replicate SCRIPT LOAD, and a
 *       promoted replica must have the script); the reply is the sha, as Redis's. Remembered for servers
 *       that join later ({@link ServerSettings}).
 *   <li>EXISTS: asked of every master; 1 only where every master has the script.
 *   <li>FLUSH [ASYNC|SYNC]: on every server; the node forgets its scripts.
 *   <li>KILL: {@link KillAny}.
 * </ul>
 */
final class ScriptCommand {
  private ScriptCommand() {}

  static void dispatch(Session s, Command cmd, CommandSpec spec, Pending p) {
    switch (spec.name()) {
      case "script|load" -> load(s, cmd, p);
      case "script|exists" -> exists(s, cmd, p);
      case "script|flush" -> flush(s, cmd, p);
      default -> KillAny.dispatch(s, cmd, p);
    }
  }

  private static void load(Session s, Command cmd, Pending p) {
    List<Target> targets = Broadcast.targets(s, p, true);
    if (targets == null) {
      return;
    }
    byte[] body = cmd.copy(2);
    ServerSettings settings = s.ctx().settings;
    Broadcast.send(s, cmd, targets, false, p, replies -> {
      if (replies[0].value() instanceof RespValue.BulkString sha) {
        settings.loaded(sha.utf8(), body);
      }
      return replies[0].toByteArray();
    });
  }

  private static void exists(Session s, Command cmd, Pending p) {
    List<Target> masters = Broadcast.targets(s, p, false);
    if (masters == null) {
      return;
    }
    int n = cmd.argc() - 2;
    Broadcast.send(s, cmd, masters, false, p, replies -> {
      boolean[] everywhere = new boolean[n];
      java.util.Arrays.fill(everywhere, true);
      for (Reply r : replies) {
        List<RespValue> answers = ((RespValue.Array) r.value()).elements();
        for (int i = 0; i < n; i++) {
          everywhere[i] &= answers.get(i) instanceof RespValue.Integer one && one.value() == 1;
        }
      }
      StringBuilder out = new StringBuilder(4 + 4 * n).append('*').append(n).append("\r\n");
      for (boolean b : everywhere) {
        out.append(b ? ":1\r\n" : ":0\r\n");
      }
      return out.toString().getBytes(StandardCharsets.US_ASCII);
    });
  }

  private static void flush(Session s, Command cmd, Pending p) {
    List<Target> targets = Broadcast.targets(s, p, true);
    if (targets == null) {
      return;
    }
    ServerSettings settings = s.ctx().settings;
    Broadcast.send(s, cmd, targets, false, p, replies -> {
      settings.flushedScripts();
      return Broadcast.OK;
    });
  }
}
