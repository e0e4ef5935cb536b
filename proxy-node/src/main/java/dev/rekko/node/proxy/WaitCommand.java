package dev.rekko.node.proxy;

import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespValue;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendConnection;
import dev.rekko.redis.backend.ReplyHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code WAIT numreplicas timeout}: Redis counts the replicas that acknowledged the client's own writes,
 * but the session's writes went out on shared connections. So, on a dedicated connection to the master of
 * each group the session wrote to, a {@code PUBLISH __rekko__:wait ""} (replicated, so that connection's
 * write offset passes every earlier write on that master) and then the client's {@code WAIT}; the answer
 * is the smallest count (or the first error). A session that wrote nothing asks every group's master on a
 * fresh connection, without the PUBLISH: Redis then counts its connected replicas, as for a client that
 * wrote nothing. A barrier that drains one of those masters unblocks the WAIT there (it answers the
 * replicas that acknowledged so far, as at its timeout).
 */
final class WaitCommand implements BlockingCalls.Block {
  private static final byte[] PUBLISH = new RespWriter(48).writeCommand("PUBLISH".getBytes(StandardCharsets.US_ASCII),
      "__rekko__:wait".getBytes(StandardCharsets.US_ASCII), new byte[0]).toByteArray();

  private final Session session;
  private final Pending target;
  private final int parts;
  // Guarded by this.
  private int left;
  private long min = Long.MAX_VALUE;
  private Reply error;
  private String failure;
  private boolean finished;
  private final List<Part> running = new ArrayList<>();
  private volatile boolean done;

  private WaitCommand(Session session, Pending target, int parts) {
    this.session = session;
    this.target = target;
    this.parts = parts;
    this.left = parts;
  }

  static void dispatch(Session s, Command cmd, Pending p) {
    RoutingTable table = s.ctx().router.table();
    if (table == null) {
      p.completeError(s.ctx().router.refusal());
      return;
    }
    KeyspaceGroups keyspace = KeyspaceGroups.of(table);
    List<Integer> groups = s.writtenGroups();
    boolean wrote = !groups.isEmpty();
    if (!wrote) {
      groups = keyspace == null ? List.of() : keyspace.all();
    }
    List<BackendAddress> masters = new ArrayList<>();
    for (int g : groups) {
      BackendAddress m = keyspace == null ? null : keyspace.master(g);
      if (m == null) {
        p.completeError(KeyspaceGroups.noMasterError(g));
        return;
      }
      if (!masters.contains(m)) {
        masters.add(m);
      }
    }
    if (masters.isEmpty()) {
      p.complete(":0\r\n".getBytes(StandardCharsets.US_ASCII));
      return;
    }
    BlockingCalls calls = s.ctx().blocking;
    if (!calls.tryAcquire(masters.size())) {
      p.completeError(calls.exhausted());
      return;
    }
    long timeout = BlockingTimeouts.nanos(cmd, 2, true);
    long wait = BlockedRun.replyWait(Math.max(0, timeout), s.ctx().backend.connections().receiveTimeout().toNanos());
    byte[] frame = new RespWriter(64).writeCommand(cmd).toByteArray();
    WaitCommand w = new WaitCommand(s, p, masters.size());
    s.blocked(w);
    synchronized (w) {
      for (int i = 0; i < masters.size(); i++) {
        w.running.add(w.new Part(calls, wait));
      }
    }
    for (int i = 0; i < masters.size(); i++) {
      Part part = w.running.get(i);
      BackendConnection c = part.begin(masters.get(i), s.db(), s.protocol());
      if (wrote) {
        c.send(PUBLISH, 0, PUBLISH.length, part.publish, false);
      }
      c.send(frame, 0, frame.length, part, false);
      c.flush();
    }
  }

  private void settle(Reply reply, String failed) {
    synchronized (this) {
      if (finished) {
        return;
      }
      if (failed != null) {
        failure = failure == null ? failed : failure;
      } else if (reply.isError() || !(reply.value() instanceof RespValue.Integer)) {
        error = error == null ? reply : error;
      } else {
        min = Math.min(min, ((RespValue.Integer) reply.value()).value());
      }
      if (--left > 0) {
        return;
      }
      finished = true;
    }
    session.ctx().blocking.release(parts);
    done = true;
    if (failure != null) {
      target.onFailure(failure);
    } else if (error != null) {
      target.onReply(error);
    } else {
      target.complete((":" + min + "\r\n").getBytes(StandardCharsets.US_ASCII));
      target.signalSession();
    }
  }

  @Override
  public boolean pending() {
    return !done;
  }

  @Override
  public boolean reissuing() {
    return false;
  }

  @Override
  public void reissueNow() { }

  @Override
  public void abandon() {
    List<Part> toDrop;
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
      toDrop = List.copyOf(running);
    }
    toDrop.forEach(BlockedRun::drop);
    session.ctx().blocking.release(parts);
    done = true;
  }

  /** The WAIT on one master. */
  private final class Part extends BlockedRun {
    private final long replyWait;
    private volatile String publishError;
    final ReplyHandler publish = new ReplyHandler() {
      @Override
      public void onReply(Reply reply) {
        if (reply.isError()) {
          String text = new String(reply.toByteArray(), StandardCharsets.UTF_8).trim();
          publishError = "ERR WAIT could not mark the session's writes (PUBLISH): " + text.substring(1);
        }
      }

      @Override
      public void onFailure(String error) {
        publishError = error;
      }
    };

    Part(BlockingCalls calls, long replyWait) {
      super(calls);
      this.replyWait = replyWait;
    }

    @Override
    public void onReply(Reply reply) {
      end(false);
      settle(reply, publishError);
    }

    @Override
    public void onFailure(String error) {
      end(true);
      settle(null, error);
    }

    @Override
    public long replyTimeoutNanos() {
      return replyWait;
    }

    /** Unblocked only when its server stops being a master here, or is drained ({@link BlockingCalls#draining}). */
    @Override
    boolean mustMove(RoutingTable table, BackendAddress on) {
      return table == null || !table.masters().contains(on);
    }
  }
}
