package dev.rekko.node.proxy;

import dev.rekko.node.proxy.GroupServers.Target;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendConnection;
import java.util.List;

/**
 * SCRIPT KILL and FUNCTION KILL, sent to every master. {@code OK} when any master killed its script;
 * else the first error other than {@code NOTBUSY} (a script that wrote: {@code UNKILLABLE}), naming its
 * group and server; else Redis's {@code NOTBUSY No scripts in execution right now.}
 *
 * <p>A busy server reads only SCRIPT KILL, FUNCTION KILL and SHUTDOWN, from every connection but the
 * one whose script runs; that one may be a shared connection this session uses too, and a new
 * connection cannot get through its handshake (answered BUSY). So the kill goes on two different shared
 * connections of each master (the session's own and the next one of the pool, when
 * {@code rekko.backend.connections-per-server} is 2 or more): one of them is not the busy one. The other
 * copy is answered once the script ended ({@code NOTBUSY}), and the reply waits for it.
 */
final class KillAny extends Gather {
  private final List<Target> masters;

  private KillAny(Pending target, List<Target> masters) {
    super(target, masters.size());
    this.masters = masters;
  }

  static void dispatch(Session s, Command cmd, Pending p) {
    List<Target> masters = Broadcast.targets(s, p, false);
    if (masters == null) {
      return;
    }
    List<Target> twice = new java.util.ArrayList<>(masters.size() * 2);
    for (Target m : masters) {
      twice.add(m);
      twice.add(m);
    }
    KillAny k = new KillAny(p, twice);
    byte[] copy = null;
    for (int i = 0; i < twice.size(); i += 2) {
      BackendAddress m = twice.get(i).server();
      s.forward(m, cmd, k.part(i), false);
      BackendConnection own = s.ctx().pool.connection(m, s.db(), s.protocol(), (int) s.id());
      BackendConnection next = s.ctx().pool.connection(m, s.db(), s.protocol(), (int) s.id() + 1);
      if (next == own) {
        k.part(i + 1).onReply(null);
        continue;
      }
      if (copy == null) {
        RespWriter w = new RespWriter(32);
        cmd.writeTo(w);
        copy = w.toByteArray();
      }
      next.send(copy, 0, copy.length, k.part(i + 1), false);
      next.flush();
    }
  }

  @Override
  byte[] merge() {
    throw new IllegalStateException("KillAny answers in finish()");
  }

  @Override
  void finish() {
    Reply notBusy = null;
    for (Reply r : replies) {
      if (r != null && !r.isError()) {
        target.onReply(r);
        return;
      }
    }
    for (int i = 0; i < replies.length; i++) {
      if (replies[i] == null && failures[i] == null) {
        continue; // no second connection to this master
      }
      String error = failures[i] != null ? failures[i] : Gather.errorText(replies[i]);
      if (failures[i] == null && error.startsWith("NOTBUSY")) {
        notBusy = notBusy == null ? replies[i] : notBusy;
      } else {
        target.onFailure(FlushCommand.prefixed(masters.get(i).group(), masters.get(i).server(), error));
        return;
      }
    }
    target.onReply(notBusy);
  }
}
