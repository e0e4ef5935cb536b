package dev.rekko.node.proxy;

import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespValue;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendConnection;
import dev.rekko.redis.backend.ReplyHandler;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * KEYS pattern: asked of every group that may hold keys, the answers merged without duplicates.
 *
 * <p>While slots migrate a key can leave a group not yet asked for one already asked. So KEYS runs in
 * passes: every group at once, then, once all answered, the migrations' targets again (a key that
 * left its source before the source answered is on the target by then); a pass during which a slot
 * changed (its entry's epoch is past the pass's start) is followed by another, at most
 * {@link #MAX_PASSES}. Keys present from start to end are therefore all returned; keys written or
 * deleted meanwhile may or may not be, as with any KEYS concurrent with writes.
 */
final class KeysCommand {
  static final int MAX_PASSES = 8;
  private final Session session;
  private final NodeContext ctx;
  private final int db;
  private final int protocol;
  private final byte[] request;
  private final Pending target;
  private final Set<RespValue> keys = new LinkedHashSet<>();
  private int passes;
  private long passEpoch;
  private boolean tail;
  private int outstanding;
  private String error;

  private KeysCommand(Session s, byte[] request, Pending target) {
    this.session = s;
    this.ctx = s.ctx();
    this.db = s.db();
    // The protocol when KEYS was sent: a HELLO pipelined after it does not change its reply.
    this.protocol = s.protocol();
    this.request = request;
    this.target = target;
  }

  static void dispatch(Session s, Command cmd, Pending p) {
    RespWriter w = new RespWriter(64);
    cmd.writeTo(w);
    new KeysCommand(s, w.toByteArray(), p).pass();
  }

  private void pass() {
    KeyspaceGroups ks = current();
    if (ks == null) {
      return;
    }
    passes++;
    passEpoch = ks.topology().epoch();
    tail = false;
    ask(ks, ks.all());
  }

  /** The groups seen now; null after failing the command (not online, or a group without a master). */
  private KeyspaceGroups current() {
    RoutingTable table = ctx.router.table();
    KeyspaceGroups ks = table == null ? null : KeyspaceGroups.of(table);
    if (ks == null) {
      finish(ctx.router.refusal());
      return null;
    }
    return ks;
  }

  private void ask(KeyspaceGroups ks, List<Integer> groups) {
    List<BackendAddress> masters = ks.masters(groups);
    if (masters == null) {
      finish(KeyspaceGroups.noMasterError(ks.noMaster(groups)));
      return;
    }
    if (masters.isEmpty()) {
      answered();
      return;
    }
    synchronized (this) {
      outstanding = masters.size();
    }
    for (BackendAddress m : masters) {
      // Later passes start on a backend I/O thread: send on the session's connection directly.
      BackendConnection c = ctx.pool.connection(m, db, protocol, (int) session.id());
      c.send(request, 0, request.length, handler(), false);
      c.flush();
    }
  }

  private ReplyHandler handler() {
    return new ReplyHandler() {
      @Override
      public void onReply(Reply reply) {
        synchronized (KeysCommand.this) {
          if (reply.isError()) {
            error = error != null ? error : Gather.errorText(reply);
          } else {
            keys.addAll(((RespValue.Array) reply.value()).elements());
          }
        }
        partDone();
      }

      @Override
      public void onFailure(String message) {
        synchronized (KeysCommand.this) {
          error = error != null ? error : message;
        }
        partDone();
      }
    };
  }

  private void partDone() {
    synchronized (this) {
      if (--outstanding > 0) {
        return;
      }
    }
    answered();
  }

  private void answered() {
    if (error != null) {
      finish(error);
      return;
    }
    KeyspaceGroups ks = current();
    if (ks == null) {
      return;
    }
    if (!tail) {
      tail = true;
      ask(ks, ks.targets());
    } else if (!ks.changedSince(passEpoch)) {
      finish(null);
    } else if (passes >= MAX_PASSES) {
      finish("ERR the keyspace kept changing during KEYS (slots migrating), try again");
    } else {
      pass();
    }
  }

  private void finish(String failure) {
    if (failure != null) {
      target.completeError(failure);
    } else {
      RespWriter w = new RespWriter(64 + keys.size() * 16);
      w.writeArrayHeader(keys.size());
      for (RespValue k : keys) {
        w.write(k);
      }
      byte[] bytes = w.toByteArray();
      target.complete(bytes, 0, bytes.length, false);
    }
    target.signalSession();
  }
}
