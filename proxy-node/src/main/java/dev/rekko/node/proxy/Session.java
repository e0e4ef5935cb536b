package dev.rekko.node.proxy;

import dev.rekko.node.observe.HotKeys;
import dev.rekko.protocol.Errors;
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
 * One client connection's state and its command dispatch: auth, database, routing (each command's route
 * is {@link #decide decided} in one place), and the queue of replies in request order. Driven by
 * {@link ClientCore} on its connection's thread; only {@link #signal()} is called from backend I/O threads.
 */
final class Session {
  private final NodeContext ctx;
  private final long id;
  private final String remote;
  private final long createdMillis = System.currentTimeMillis();
  // What the client set with SELECT and AUTH: private, so that only the methods named
  // for those commands change it, and a reader finds every change of a session's database or login here.
  private int db;
  private boolean authenticated;
  private boolean quitting;
  private long commands;
  /** The RESP version HELLO chose: 2, or 3; backend connections of the same version serve the session. */
  private int protocol = 2;
  /** What the CLIENT commands set (SETNAME, SETINFO, REPLY, NO-EVICT, NO-TOUCH) and CLIENT INFO shows. */
  private final ClientState client = new ClientState();

  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final BackendLinks links;
  private int[] keys = new int[16];
  private final Runnable wakeUp;
  private Deferred deferred;
  /** MULTI/WATCH state; null until the session first uses them, so other sessions pay one null check. */
  private Transaction transaction;
  // Whether the command being dispatched is read-only (the command table's readonly flag).
  private boolean readOnly;
  private final RecentWrites recentWrites = new RecentWrites();
  private final WrittenGroups writtenGroups = new WrittenGroups();
  // The blocking command in flight: nothing after it is dispatched until it answered (as Redis does).
  private BlockingCalls.Block blocked;
  // The router generation at the start of the batch being dispatched, 0 between batches.
  private volatile long batchGeneration;
  private final java.util.concurrent.atomic.AtomicBoolean signalled = new java.util.concurrent.atomic.AtomicBoolean();
  /** Pub/sub subscriptions and the messages for them; null until the first (P|S)SUBSCRIBE. */
  private SessionPubSub pubsub;

  /** What the node holds for this client: replies not yet written, input not yet parsed. */
  private final SessionMemory held;
  /** Which commands' keys go into the hot-keys sketch; null when hot keys are off. */
  private final HotKeys.Sampler sampler;
  /** The command being dispatched, which backend sends name as the one that served it; null between commands. */
  private Pending dispatching;

  /** {@code affinity} and {@code flusher}: how the session's {@link BackendLinks} pick and flush connections. */
  Session(NodeContext ctx, long id, String remote, Runnable wakeUp,
      java.util.function.Consumer<BackendConnection> flusher, int affinity) {
    this.ctx = ctx;
    this.id = id;
    this.remote = remote;
    this.wakeUp = wakeUp;
    this.links = new BackendLinks(this, ctx.pool, affinity, flusher);
    this.authenticated = ctx.proxy.password().isEmpty();
    this.held = new SessionMemory(ctx.memory, this::signal);
    this.sampler = ctx.observe.hotKeys() == null ? null : ctx.observe.hotKeys().sampler();
  }

  NodeContext ctx() {
    return ctx;
  }

  long id() {
    return id;
  }

  /** The client's address, {@code host:port}. */
  String remote() {
    return remote;
  }

  long createdMillis() {
    return createdMillis;
  }

  SessionMemory held() {
    return held;
  }

  /** Commands dispatched so far. */
  long commands() {
    return commands;
  }

  /** The database SELECT chose; where this session's commands run. */
  int db() {
    return db;
  }

  void select(int database) {
    db = database;
  }

  boolean authenticated() {
    return authenticated;
  }

  /** AUTH (or HELLO … AUTH) succeeded. */
  void authenticate() {
    authenticated = true;
  }

  int protocol() {
    return protocol;
  }

  /** HELLO's protocol version; later commands go on backend connections speaking it. */
  void protocol(int version) {
    protocol = version;
  }

  ClientState client() {
    return client;
  }

  /** QUIT: the connection closes once the replies owed are written; nothing more is read. */
  void quit() {
    quitting = true;
  }

  boolean quitting() {
    return quitting;
  }

  /** RESET: back to a new connection's database, name, login, protocol and CLIENT flags. */
  void reset() {
    if (pubsub != null) {
      pubsub.dropAll();
    }
    if (transaction != null) {
      transaction.reset();
    }
    db = 0;
    protocol(2);
    client.reset();
    authenticated = ctx.proxy.password().isEmpty();
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

  /** Commands wait in the {@link Deferred} queue, or dedicated connections wait to go back ({@link Pins}). */
  boolean hasDeferred() {
    return deferred != null && !deferred.isEmpty() || blocked != null && blocked.reissuing()
        || transaction != null && transaction.pins().any();
  }

  /** Sends the deferred commands that may go now; the caller flushes. */
  void processDeferred() {
    if (blocked != null) {
      blocked.reissueNow();
    }
    if (deferred != null) {
      deferred.process();
    }
    if (transaction != null) {
      transaction.pins().settle();
    }
  }

  /** Called by the thread that read a reply when it completed; at most one wake-up is in flight. */
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
    if (blocked != null) {
      blocked.abandon();
      blocked = null;
    }
    held.close();
    queue.clear();
    if (pubsub != null) {
      pubsub.closed();
    }
    if (transaction != null) {
      transaction.end();
    }
  }

  /** This session's pub/sub state, created on first use; session thread. */
  SessionPubSub pubsub() {
    if (pubsub == null) {
      pubsub = new SessionPubSub(this);
    }
    return pubsub;
  }

  /** This session's pub/sub state if it ever subscribed, else null (CLIENT LIST reads it from other threads). */
  SessionPubSub pubsubIfAny() {
    return pubsub;
  }

  /** The session's MULTI/WATCH state, created on first use. */
  Transaction transaction() {
    if (transaction == null) {
      transaction = new Transaction(this);
    }
    return transaction;
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
    long now = System.nanoTime();
    Pending p = new Pending(this, ctx.statsFor(spec), now);
    p.silent = client.dispatched(spec, now);
    Observed.dispatched(ctx.observe, cmd, spec, p);
    if (pubsub != null) {
      // Messages that came before this command go before its reply, as Redis would have sent them.
      pubsub.drainInbox();
    }
    queue.add(p);
    if (!authenticated && spec != null && !spec.has(CommandFlag.NO_AUTH)) {
      p.completeError(Errors.NOAUTH);
      return;
    }
    String rejection = CommandTable.rejection(cmd, spec);
    if (sampler != null && sampler.tick() && rejection == null) {
      Observed.sample(this, ctx.observe.hotKeys(), cmd, spec);
    }
    if (transaction != null && transaction.queues(spec)) {
      // Inside MULTI: queued, or refused with the transaction flagged (also for a rejection, as Redis).
      transaction.queue(cmd, spec, rejection, p);
      return;
    }
    if (rejection != null) {
      p.completeError(rejection);
      return;
    }
    if (pubsub != null && pubsub.refuses(cmd, spec, p)) {
      return;
    }
    readOnly = spec.has(CommandFlag.READONLY);
    dispatching = p;
    switch (spec.policy()) {
      case PROXY -> LocalCommands.execute(this, cmd, spec, p);
      case SINGLE_SLOT -> SingleSlotCommand.dispatch(this, cmd, spec, p);
      case SPLIT -> SplitCommand.dispatch(this, cmd, spec, p);
      case FANOUT -> FanoutCommand.dispatch(this, cmd, spec, p);
      case BLOCKING -> BlockingCommand.dispatch(this, cmd, spec, p);
      case REFUSED -> p.completeError(Errors.notAllowed(spec.displayName()));
    }
    dispatching = null;
  }

  /** Sends every backend write this batch queued, one socket write per connection. */
  void flush() {
    links.flush();
  }

  /** A scratch array for a command's key positions, at least {@code size} long; session thread only. */
  int[] keyPositions(int size) {
    if (keys.length < size) {
      keys = new int[size];
    }
    return keys;
  }

  /**
   * Where a command (or a split command's part) for {@code route}'s slot goes now: the one decision for
   * single-slot and split commands. {@link RouteDecision#deferred() Deferred} ones go to {@link #deferred}.
   */
  RouteDecision decide(SlotRoute route) {
    if (!readOnly) {
      writtenGroups.wrote(route.group());
    }
    if (route.replicas() != null && !readOnly) {
      recentWrites.wrote(route.group(), System.nanoTime());
    }
    return RouteDecision.of(route, deferred != null && deferred.has(route.slot()));
  }

  /** The groups this session sent a write to (WAIT asks their masters). */
  List<Integer> writtenGroups() {
    return writtenGroups.list();
  }

  /** A blocking command started: later commands wait until it answered. */
  void blocked(BlockingCalls.Block b) {
    blocked = b;
  }

  /** Whether a blocking command of this session is still unanswered; session thread. */
  boolean blocking() {
    if (blocked != null && !blocked.pending()) {
      blocked = null;
    }
    return blocked != null;
  }

  /**
   * Where a {@link RouteDecision#DIRECT direct} single-slot command goes: the master, or, for a read-only
   * command of a group with replica reads that this session has not written to for
   * {@link RecentWrites#WINDOW_NANOS}, an up replica (this node's datacenter first).
   */
  BackendAddress directServer(SlotRoute route) {
    ReadReplicas replicas = route.replicas();
    if (replicas == null || !readOnly || recentWrites.recently(route.group(), System.nanoTime())
        || transaction != null && transaction.watching()) {
      return route.master();
    }
    BackendAddress replica = replicas.pick(ctx.pool, db, protocol, (int) id);
    return replica != null ? replica : route.master();
  }

  /** The queue of commands whose slot is held or migrating, created on first use; they go out from {@link #processDeferred}. */
  Deferred deferred() {
    if (deferred == null) {
      deferred = new Deferred(this);
    }
    return deferred;
  }

  /**
   * Sends {@code cmd} unchanged (its original frame when it came as RESP) to {@code server}.
   *
   * @param write the command may change data ({@code CommandSpec.mayWrite}): with durable writes on,
   *              its reply waits until a replica confirms it
   */
  void forward(BackendAddress server, Command cmd, ReplyHandler handler, boolean write) {
    if (cmd.isInline()) {
      RespWriter w = new RespWriter(64);
      cmd.writeTo(w);
      send(server, w.array(), 0, w.length(), handler, write);
    } else {
      send(server, cmd.frameArray(), cmd.frameOffset(), cmd.frameLength(), handler, write);
    }
  }

  /** Sends for the command being dispatched ({@link #dispatching}: the slow log names {@code server}). */
  void send(BackendAddress server, byte[] bytes, int off, int len, ReplyHandler handler, boolean write) {
    links.sendOn(server, db, bytes, off, len, handler, dispatching, write);
  }

  /** The backend connections this session sends on; {@link BackendLinks#sendOn} and the rest. */
  BackendLinks links() {
    return links;
  }

  /** The command being dispatched now, null between commands (the slow log names its backend). */
  Pending dispatching() {
    return dispatching;
  }

  /** The MULTI/WATCH state if the session ever used it, else null. */
  Transaction transactionIfAny() {
    return transaction;
  }
}
