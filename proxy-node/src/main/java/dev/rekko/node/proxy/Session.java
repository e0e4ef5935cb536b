package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import dev.rekko.protocol.SlotHash;
import dev.rekko.protocol.command.CommandFlag;
import dev.rekko.protocol.command.CommandSpec;
import dev.rekko.protocol.command.CommandTable;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import dev.rekko.redis.backend.BackendConnection;
import dev.rekko.redis.backend.ReplyHandler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One client connection's state and its command dispatch: auth, database, routing, and the queue of
 * replies in request order. Driven by {@link ClientConnection} on its I/O thread; only
 * {@link #signal()} is called from backend I/O threads.
 */
final class Session {
  final NodeContext ctx;
  final long id;
  final String remote;
  final long createdMillis = System.currentTimeMillis();
  int db;
  boolean authenticated;
  String name;
  String libName;
  String libVersion;
  boolean quitting;
  long commands;

  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final List<BackendConnection> touched = new ArrayList<>(4);
  private int[] keys = new int[16];
  private BackendAddress lastServer;
  private int lastDb = -1;
  private BackendConnection lastConnection;
  private final Runnable wakeUp;
  private final java.util.function.Consumer<BackendConnection> flusher;
  private Deferred deferred;
  // The router generation at the start of the batch being dispatched, 0 between batches.
  private volatile long batchGeneration;
  private final java.util.concurrent.atomic.AtomicBoolean signalled = new java.util.concurrent.atomic.AtomicBoolean();

  /** What the node holds for this client: replies not yet written, input not yet parsed. */
  final SessionMemory held;

  /**
   * @param flusher flushes a backend connection this session queued commands on; the I/O thread defers
   *                that to the end of its round, so commands of the sessions it served meanwhile
   *                share one socket write
   */
  Session(NodeContext ctx, long id, String remote, Runnable wakeUp,
      java.util.function.Consumer<BackendConnection> flusher) {
    this.ctx = ctx;
    this.id = id;
    this.remote = remote;
    this.wakeUp = wakeUp;
    this.flusher = flusher;
    this.authenticated = ctx.proxy.password().isEmpty();
    this.held = new SessionMemory(ctx.memory, this::signal);
  }

  /** Marks the start of a batch: commands dispatched until {@link #endBatch} may use this generation's table. */
  void beginBatch() {
    batchGeneration = ctx.router.generation();
  }

  void endBatch() {
    batchGeneration = 0;
  }

  long batchGeneration() {
    return batchGeneration;
  }

  boolean hasDeferred() {
    return deferred != null && !deferred.isEmpty();
  }

  /** Sends the deferred commands that may go now; the caller flushes. */
  void processDeferred() {
    if (deferred != null) {
      deferred.process();
    }
  }

  /** Called by backend I/O threads when a reply completed; at most one wake-up is in flight. */
  void signal() {
    if (signalled.compareAndSet(false, true)) {
      wakeUp.run();
    }
  }

  /** The session's thread acknowledges a wake-up before draining, so later completions signal again. */
  void clearSignal() {
    signalled.set(false);
  }

  /** The connection closed: gives back what it held and drops the replies owed; session thread. */
  void closed() {
    held.close();
    queue.clear();
  }

  ArrayDeque<Pending> queue() {
    return queue;
  }

  int inFlight() {
    return queue.size();
  }

  /** Dispatches one decoded command; backend writes wait for {@link #flush()} at the end of the batch. */
  void dispatch(Command cmd) {
    commands++;
    CommandSpec spec = CommandTable.lookup(cmd);
    Pending p = new Pending(this, ctx.statsFor(spec), System.nanoTime());
    queue.add(p);
    if (!authenticated && spec != null && !spec.has(CommandFlag.NO_AUTH)) {
      p.completeError(Errors.NOAUTH);
      return;
    }
    String rejection = CommandTable.rejection(cmd, spec);
    if (rejection != null) {
      p.completeError(rejection);
      return;
    }
    switch (spec.policy()) {
      case PROXY -> LocalCommands.execute(this, cmd, spec, p);
      case SINGLE_SLOT -> routeSingleSlot(cmd, spec, p);
      case SPLIT -> SplitCommand.dispatch(this, cmd, spec, p);
      case FANOUT -> FanoutCommand.dispatch(this, cmd, spec, p);
      case REFUSED -> p.completeError(Errors.notAllowed(spec.displayName()));
    }
  }

  /** Sends every backend write this batch queued, one socket write per connection. */
  void flush() {
    for (int i = 0; i < touched.size(); i++) {
      flusher.accept(touched.get(i));
    }
    touched.clear();
  }

  private void routeSingleSlot(Command cmd, CommandSpec spec, Pending p) {
    RoutingTable table = ctx.router.table();
    if (table == null) {
      p.completeError(ctx.router.refusal());
      return;
    }
    if (keys.length < cmd.argc()) {
      keys = new int[cmd.argc()];
    }
    int n = spec.keyIndexes(cmd, keys);
    if (n < 0) {
      p.completeError(spec.keyError(n));
      return;
    }
    int slot;
    if (n == 0) {
      // A keyless invocation (EVAL with numkeys 0, …) touches no slot's data; any group can run it.
      slot = cmd.argc() > 1 ? SlotHash.slot(cmd.array(1), cmd.offset(1), cmd.length(1)) : 0;
    } else {
      slot = SlotHash.slot(cmd.array(keys[0]), cmd.offset(keys[0]), cmd.length(keys[0]));
      for (int i = 1; i < n; i++) {
        if (SlotHash.slot(cmd.array(keys[i]), cmd.offset(keys[i]), cmd.length(keys[i])) != slot) {
          p.completeError(Errors.CROSSSLOT);
          return;
        }
      }
    }
    SlotRoute route = table.route(slot);
    if (!route.online()) {
      p.completeError(Errors.SLOT_NOT_READY);
      return;
    }
    if (route.direct() && (deferred == null || !deferred.has(slot))) {
      forward(route.master(), cmd, p);
      return;
    }
    byte[][] keyBytes = new byte[n][];
    for (int i = 0; i < n; i++) {
      keyBytes[i] = java.util.Arrays.copyOfRange(cmd.array(keys[i]), cmd.offset(keys[i]),
          cmd.offset(keys[i]) + cmd.length(keys[i]));
    }
    if (cmd.isInline()) {
      RespWriter w = new RespWriter(64);
      cmd.writeTo(w);
      defer(slot, w.array(), 0, w.length(), keyBytes, p);
    } else {
      defer(slot, cmd.frameArray(), cmd.frameOffset(), cmd.frameLength(), keyBytes, p);
    }
  }

  /** Whether a command for {@code slot} must take the deferred path rather than go straight to its master. */
  boolean mustDefer(SlotRoute route) {
    return !route.direct() || (deferred != null && deferred.has(route.slot()));
  }

  /** Queues a command whose slot is migrating; it goes out from {@link #processDeferred}. */
  void defer(int slot, byte[] frame, int off, int len, byte[][] keyBytes, ReplyHandler handler) {
    if (deferred == null) {
      deferred = new Deferred(this);
    }
    deferred.add(slot, db, frame, off, len, keyBytes, handler);
  }

  /** Sends {@code cmd} unchanged (its original frame when it came as RESP) to {@code server}. */
  void forward(BackendAddress server, Command cmd, ReplyHandler handler) {
    if (cmd.isInline()) {
      RespWriter w = new RespWriter(64);
      cmd.writeTo(w);
      send(server, w.array(), 0, w.length(), handler);
    } else {
      send(server, cmd.frameArray(), cmd.frameOffset(), cmd.frameLength(), handler);
    }
  }

  void send(BackendAddress server, byte[] bytes, int off, int len, ReplyHandler handler) {
    sendOn(server, db, bytes, off, len, handler);
  }

  /** Sends on this session's connection to {@code server} and database {@code database}. */
  void sendOn(BackendAddress server, int database, byte[] bytes, int off, int len, ReplyHandler handler) {
    BackendConnection c = lastConnection;
    // Consecutive commands mostly go to the same server: skip the pool's map lookup then.
    if (!server.equals(lastServer) || database != lastDb || c.isClosed()) {
      c = ctx.pool.connection(server, database, (int) id);
      lastServer = server;
      lastDb = database;
      lastConnection = c;
    }
    c.send(bytes, off, len, handler);
    if (!touched.contains(c)) {
      touched.add(c);
    }
  }
}
