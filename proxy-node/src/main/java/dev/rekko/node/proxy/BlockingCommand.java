package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.SlotHash;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendConnection;

/**
 * A blocking command on keys of one slot (BLPOP, BRPOP, BRPOPLPUSH, BLMOVE, BLMPOP, BZPOPMIN/MAX, BZMPOP,
 * XREAD/XREADGROUP with BLOCK): it blocks on a dedicated connection to the slot's master, while its
 * session dispatches nothing after it (as Redis reads nothing from a blocked client).
 *
 * <p>When the slot's route stops pointing at that master (a migration's barrier, the slot moved, the
 * group's master switched) or the master is drained, the command is unblocked there ({@code CLIENT
 * UNBLOCK … TIMEOUT}, see {@link BlockedRun}). A nil reply then means "unblocked": the command is sent again
 * through the session's normal routing (held at a barrier, its keys moved first while migrating) with
 * the time left of the client's timeout written into it; the client sees one reply. A real reply (it
 * popped before the UNBLOCK landed) is delivered as it is, so nothing is popped twice or lost.
 */
final class BlockingCommand extends BlockedRun implements BlockingCalls.Block {
  private final Session session;
  private final Pending target;
  private final byte[][] argv;
  /** The keys, for the {@code MIGRATE} of a re-issue on a migrating slot. */
  private byte[][] keys;
  private final int slot;
  private final int db;
  private final boolean write;
  /** The argument holding the timeout, -1 when it is not one Rekko rewrites (Redis then answers its error). */
  private final int timeoutArg;
  private final boolean millis;
  /** The client's timeout, 0 for none (block forever); the deadline on the monotonic clock. */
  private final long timeoutNanos;
  private final long deadline;
  private final long replyWait;
  // Guarded by this: the reply (or the client's leaving) ended the command.
  private boolean finished;
  /** Set on a backend I/O thread: unblocked, to be sent again by the session's thread. */
  private volatile boolean reissue;
  private volatile boolean done;

  private BlockingCommand(Session session, Pending target, Command cmd, int slot, boolean write, int timeoutArg,
      boolean millis, long timeoutNanos) {
    super(session.ctx().blocking);
    this.session = session;
    this.target = target;
    this.argv = new byte[cmd.argc()][];
    for (int i = 0; i < argv.length; i++) {
      argv[i] = cmd.copy(i);
    }
    this.slot = slot;
    this.db = session.db();
    this.write = write;
    this.timeoutArg = timeoutArg;
    this.millis = millis;
    this.timeoutNanos = timeoutNanos;
    this.deadline = System.nanoTime() + timeoutNanos;
    this.replyWait = replyWait(timeoutNanos, session.ctx().backend.connections().receiveTimeout().toNanos());
  }

  static void dispatch(Session s, Command cmd, CommandSpec spec, Pending p) {
    String name = spec.name();
    if (name.equals("wait")) {
      WaitCommand.dispatch(s, cmd, p);
      return;
    }
    boolean stream = name.startsWith("xread");
    int timeoutArg = stream ? BlockingTimeouts.blockArg(cmd) : BlockingTimeouts.timeoutArg(name, cmd.argc());
    if (stream && timeoutArg < 0) {
      // Without BLOCK, XREAD and XREADGROUP answer at once.
      SingleSlotCommand.dispatch(s, cmd, spec, p);
      return;
    }
    RoutingTable table = s.ctx().router.table();
    if (table == null) {
      p.completeError(s.ctx().router.refusal());
      return;
    }
    int[] keys = s.keyPositions(cmd.argc());
    int n = spec.keyIndexes(cmd, keys);
    if (n < 0) {
      p.completeError(spec.keyError(n));
      return;
    }
    int slot = SlotHash.slot(cmd.array(keys[0]), cmd.offset(keys[0]), cmd.length(keys[0]));
    for (int i = 1; i < n; i++) {
      if (SlotHash.slot(cmd.array(keys[i]), cmd.offset(keys[i]), cmd.length(keys[i])) != slot) {
        p.completeError(Errors.CROSSSLOT);
        return;
      }
    }
    BlockingCalls calls = s.ctx().blocking;
    if (!calls.tryAcquire(1)) {
      p.completeError(calls.exhausted());
      return;
    }
    long timeout = BlockingTimeouts.nanos(cmd, timeoutArg, stream);
    BlockingCommand b = new BlockingCommand(s, p, cmd, slot, spec.mayWrite(), timeout < 0 ? -1 : timeoutArg,
        stream, Math.max(0, timeout));
    byte[][] keyBytes = new byte[n][];
    for (int i = 0; i < n; i++) {
      keyBytes[i] = Deferred.copy(cmd, keys[i]);
    }
    b.keys = keyBytes;
    s.blocked(b);
    b.route(table);
  }

  /** Sends it where the slot's route says now; session thread. */
  private void route(RoutingTable table) {
    if (table == null) {
      fail(session.ctx().router.refusal());
      return;
    }
    SlotRoute route = table.route(slot);
    RouteDecision decision = session.decide(route);
    if (decision == RouteDecision.DIRECT) {
      sendTo(route.master());
    } else if (decision.deferred()) {
      session.deferred().addBlock(slot, session.db(), keys, this, write, (server, r) -> sendTo(server));
    } else {
      fail(Errors.SLOT_NOT_READY);
    }
  }

  /** Blocks on {@code master} with the time left; session thread (dispatch, or its {@link Deferred} queue). */
  void sendTo(BackendAddress master) {
    synchronized (this) {
      if (finished) {
        return;
      }
    }
    byte[] frame = new RespWriter(64).writeCommand(withTimeLeft()).toByteArray();
    BackendConnection c = begin(master, db, session.protocol());
    c.send(frame, 0, frame.length, this, write);
    c.flush();
  }

  private byte[][] withTimeLeft() {
    if (timeoutArg < 0 || timeoutNanos == 0) {
      return argv;
    }
    // At least 1 ms: 0 would mean "forever". A deadline already passed lets Redis answer its own nil.
    long ms = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    byte[][] out = argv.clone();
    out[timeoutArg] = BlockingCalls.bytes(millis ? Long.toString(ms) : ms / 1000 + "." + String.format("%03d", ms % 1000));
    return out;
  }

  @Override
  public void onReply(Reply reply) {
    boolean again;
    synchronized (this) {
      if (finished) {
        return;
      }
      again = end(false) && isNil(reply) && !expired();
      finished = !again;
    }
    if (!sendAgain(again)) {
      target.onReply(reply);
    }
  }

  @Override
  public void onFailure(String error) {
    boolean again;
    synchronized (this) {
      if (finished) {
        return;
      }
      // Failed after an UNBLOCK: the server left (its connections closed) or went down under a failover.
      again = end(true) && !expired();
      finished = !again;
    }
    if (!sendAgain(again)) {
      target.onFailure(error);
    }
  }

  /**
   * After an answer: when {@code again}, the session is woken to send the command again (true);
   * otherwise the command is done and its place in the budget given back (false: the caller answers).
   */
  private boolean sendAgain(boolean again) {
    if (again) {
      reissue = true;
      session.signal();
      return true;
    }
    calls.release(1);
    done = true;
    return false;
  }

  @Override
  public long replyTimeoutNanos() {
    return replyWait;
  }

  @Override
  boolean mustMove(RoutingTable table, BackendAddress on) {
    SlotRoute r = table == null ? null : table.route(slot);
    return r == null || r.hold() || r.switching() || !on.equals(r.master());
  }

  /** Whether the command still holds its session (later commands wait until it answered). */
  @Override
  public boolean pending() {
    return !done;
  }

  @Override
  public boolean reissuing() {
    return reissue;
  }

  /** Unblocked by Rekko: sent again under the current table; session thread, inside a batch. */
  @Override
  public void reissueNow() {
    if (!reissue) {
      return;
    }
    reissue = false;
    route(session.ctx().router.table());
  }

  /** The client left: closes the connection at once, so Redis drops the blocked client too. */
  @Override
  public void abandon() {
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
    }
    reissue = false;
    drop();
    calls.release(1);
    done = true;
  }

  private void fail(String error) {
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
    }
    calls.release(1);
    done = true;
    target.onFailure(error);
  }

  private boolean expired() {
    return timeoutNanos > 0 && System.nanoTime() - deadline >= 0;
  }

  /** A null (RESP2 {@code *-1}/{@code $-1}, RESP3 {@code _}): what a timeout, or an UNBLOCK, answers. */
  static boolean isNil(Reply r) {
    byte t = r.valueType();
    if (t == '_') {
      return true;
    }
    byte[] a = r.frameArray();
    int off = r.frameOffset();
    return (t == '*' || t == '$') && r.frameLength() > 1 && a[off] == t && a[off + 1] == '-';
  }
}
