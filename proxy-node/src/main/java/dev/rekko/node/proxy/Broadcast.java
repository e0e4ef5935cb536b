package dev.rekko.node.proxy;

import dev.rekko.node.proxy.GroupServers.Target;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendConnection;
import dev.rekko.redis.backend.BackendPool;
import dev.rekko.redis.backend.ReplyHandler;
import dev.rekko.topology.Topology;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * A client's command sent unchanged to several servers of every group (CONFIG SET, SCRIPT LOAD, FUNCTION
 * LOAD …) and answered once all did: the merged reply when every server succeeded, else an error.
 *
 * <p>Masters get it on the session's own connection, so the session's next commands to them (an EVALSHA
 * pipelined behind SCRIPT LOAD) run after it, as on one Redis. Replicas get it on a
 * {@link BackendPool#dedicated dedicated} connection opened for the one command and released after its
 * reply: the pool's shared connections to replicas that serve no reads are closed at every topology
 * change ({@link BackendPool#retainOnly}).
 *
 * <p>Errors: when every server gave the same error (a bad value, a script that does not compile, an
 * unknown library: servers of one version judge alike), it is Redis's own reply, passed on as it came.
 * Otherwise the first error, naming its group and server ({@code ERR group 2 (127.0.0.1:7001): …}), and
 * the servers that succeeded keep the change: like FLUSHALL, nothing is rolled back.
 */
final class Broadcast extends Gather {
  static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
  /** The topology has no group with a server (never so once a cluster was seeded). */
  static final String NO_GROUP = "ERR no group has a master, try again";

  private final List<Target> targets;
  private final Function<Reply[], byte[]> merger;

  private Broadcast(Pending target, List<Target> targets, Function<Reply[], byte[]> merger) {
    super(target, targets.size());
    this.targets = targets;
    this.merger = merger;
  }

  /**
   * The servers of the session's topology: every server with {@code replicas}, else the masters. Null
   * after completing {@code p} with the error when there is no topology, or a group has no master.
   */
  static List<Target> targets(Session s, Pending p, boolean replicas) {
    Topology t = topology(s, p);
    if (t == null) {
      return null;
    }
    int noMaster = GroupServers.noMaster(t);
    List<Target> out = replicas ? GroupServers.all(t) : GroupServers.masters(t);
    if (noMaster != 0 || out.isEmpty()) {
      p.completeError(noMaster != 0 ? KeyspaceGroups.noMasterError(noMaster) : NO_GROUP);
      return null;
    }
    return out;
  }

  /** The topology the session's routing table follows; null after completing {@code p} when none. */
  static Topology topology(Session s, Pending p) {
    RoutingTable table = s.ctx().router.table();
    Topology t = table == null ? null : table.topology();
    if (t == null) {
      p.completeError(s.ctx().router.refusal());
    }
    return t;
  }

  /**
   * Sends {@code cmd} to {@code targets} (from {@link #targets}); once all succeeded, {@code merger} (on a
   * backend I/O thread) gives the reply from theirs, in the order of {@code targets}.
   *
   * @param write the command writes (FUNCTION LOAD): with durable writes on, a master's reply waits
   *              for a replica's confirmation
   */
  static void send(Session s, Command cmd, List<Target> targets, boolean write, Pending p,
      Function<Reply[], byte[]> merger) {
    Broadcast b = new Broadcast(p, targets, merger);
    byte[] copy = null;
    for (int i = 0; i < targets.size(); i++) {
      Target t = targets.get(i);
      if (t.master()) {
        s.forward(t.server(), cmd, b.part(i), write);
      } else {
        if (copy == null) {
          // A dedicated connection may still be connecting after the batch's read buffer was reused.
          RespWriter w = new RespWriter(64);
          cmd.writeTo(w);
          copy = w.toByteArray();
        }
        once(s.ctx().pool, t.server(), copy, b.part(i));
      }
    }
  }

  /** Sends one command on a dedicated connection of its own, released once it is answered. */
  static void once(BackendPool pool, BackendAddress server, byte[] command, ReplyHandler handler) {
    BackendConnection c = pool.dedicated(server, 0, 2);
    c.send(command, 0, command.length, new ReplyHandler() {
      @Override
      public void onReply(Reply reply) {
        pool.release(c);
        handler.onReply(reply);
      }

      @Override
      public void onFailure(String error) {
        pool.release(c);
        handler.onFailure(error);
      }
    }, false);
    c.flush();
  }

  @Override
  byte[] merge() {
    return merger.apply(replies);
  }

  @Override
  String errorFor(int part, String error) {
    for (Reply r : replies) {
      if (r == null || !r.isError() || !errorText(r).equals(error)) {
        return FlushCommand.prefixed(targets.get(part).group(), targets.get(part).server(), error);
      }
    }
    return null;
  }
}
