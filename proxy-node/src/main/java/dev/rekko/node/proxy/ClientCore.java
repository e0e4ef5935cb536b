package dev.rekko.node.proxy;

import dev.rekko.node.config.ClientLimits;
import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.RequestDecoder;
import dev.rekko.protocol.resp.RespProtocolException;
import dev.rekko.redis.backend.BackendConnection;
import java.io.IOException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, whatever carries its bytes: bytes in → decode → dispatch → in-order replies →
 * bytes out through its {@link ClientTransport}, all on one thread at a time (a {@link ClientIo}
 * selector thread, or the stream stage's actor). Everything decoded from one read is dispatched as a
 * batch and its backend writes leave together; replies that completed meanwhile leave in one write too
 * ({@link ReplyOutput}). The transports are thin: this class holds every rule both of them follow.
 *
 * <p>Backpressure instead of errors: commands beyond the client's dispatch window wait in the decoder
 * (see {@link ReplyOutput}), and the connection stops reading while they wait, while the client owes
 * more than {@code client-output-pause} reply bytes, and while all clients together hold more than
 * {@code max-memory} ({@link ClientMemory}); so a client that pipelines faster than the backends
 * answer, or reads its replies slowly, simply waits. A client over {@code client-output-buffer-limit}
 * or {@code client-query-buffer-limit}, or evicted by the node's budget, is closed.
 */
final class ClientCore {
  private static final Logger log = LoggerFactory.getLogger(ClientCore.class);

  private final ClientTransport transport;
  private final NodeContext ctx;
  private final RequestDecoder decoder;
  private final Session session;
  private final ClientLimits limits;
  private final OutputLimit outputLimit;
  private final ReplyOutput output;
  // Commands beyond the dispatch window wait in the decoder; reading stops meanwhile.
  private boolean held;
  // A blocking command is unanswered: commands after it wait in the decoder (reading goes on, so that a
  // client that leaves is seen at once), as Redis runs nothing more of a blocked client.
  private boolean paused;
  private boolean inputDone;
  private boolean closing;
  private boolean closed;
  private long lastInputNanos = System.nanoTime();

  /**
   * @param wakeUp  brings {@link #onWake} onto the core's thread; called from any thread, once per signal
   * @param flusher flushes a backend connection a batch queued commands on (see {@link Session})
   * @param affinity the session's backend affinity from its id (see {@link Session})
   */
  ClientCore(NodeContext ctx, String remote, String local, ClientTransport transport, Runnable wakeUp,
      Consumer<BackendConnection> flusher, java.util.function.LongToIntFunction affinity) {
    this.transport = transport;
    this.ctx = ctx;
    this.limits = ctx.proxy.limits();
    this.outputLimit = new OutputLimit(limits);
    this.decoder = new RequestDecoder(ctx.requestLimits);
    long id = ctx.sessionIds.incrementAndGet();
    this.session = new Session(ctx, id, remote, wakeUp, flusher, affinity.applyAsInt(id));
    session.client().local(local);
    this.output = new ReplyOutput(transport, session, outputLimit, limits.outputPause(), ctx.proxy.maxPipeline());
  }

  /** The connection is served from now on: the node counts its session. */
  void start() {
    ctx.sessions.add(session);
    ctx.stats.sessionOpened();
  }

  boolean closed() {
    return closed;
  }

  /** The session signalled: replies completed, deferred commands may go on, or it was evicted. */
  void onWake() {
    if (closed || closeIfDoomed()) {
      return;
    }
    guarded(() -> {
      session.clearSignal();
      SessionPubSub ps = session.pubsubIfAny();
      if (ps != null) {
        // Messages delivered since the last round go behind the replies owed.
        ps.drainInbox();
      }
      if (session.hasDeferred()) {
        session.beginBatch();
        session.processDeferred();
        session.flush();
        session.endBatch();
      }
      drain();
      checkOutputLimits(System.nanoTime());
    });
  }

  /** Reading may resume (the node's memory dropped under its budget): sets the interest again. */
  void refreshInterest() {
    if (!closed) {
      guarded(() -> { });
    }
  }

  /** Evicted by the node's memory budget ({@link ClientMemory} logged why), or killed: closes. */
  boolean closeIfDoomed() {
    if (session.held().doomed()) {
      close();
      return true;
    }
    return false;
  }

  /** One step of the transport's, run by {@link #guarded}. */
  interface IoStep {
    void run() throws IOException;
  }

  /** Runs one step of the connection, then sets its interest; any failure closes this connection alone. */
  void guarded(IoStep step) {
    try {
      step.run();
      if (!closed) {
        transport.interest(mayRead(), output.blocked());
      }
    } catch (IOException e) {
      close();
    } catch (RuntimeException e) {
      log.error("client connection {} failed", session.remote(), e);
      close();
    }
  }

  /**
   * Idle: no input for {@code idle-timeout}, and either nothing owed or a write the socket has not
   * taken a byte of for as long (a client that stopped reading, as Redis's timeout counts it). A client
   * waiting for a backend's reply is not idle; the backend's receive-timeout answers it.
   */
  void onTick(long now) {
    if (closed || closeIfDoomed()) {
      return;
    }
    checkOutputLimits(now);
    long idle = ctx.proxy.idleTimeout().toNanos();
    // A subscriber waits for messages, not commands: Redis's timeout spares it too.
    if (!closed && idle > 0 && now - lastInputNanos > idle && !(session.pubsubIfAny() != null && session.pubsubIfAny().subscribed())
        && (output.blocked() ? now - output.lastOutputNanos() > idle : session.inFlight() == 0)) {
      close();
    }
  }

  /** Redis's client-output-buffer-limit: over the hard limit, or over the soft one for too long, closes. */
  private void checkOutputLimits(long now) {
    if (closed || outputLimit.none()) {
      return;
    }
    long owed = session.held().owed();
    String over = outputLimit.check(owed, now);
    if (over != null) {
      ctx.memory.outputLimitDisconnections.incrementAndGet();
      log.warn("client {} closed: it owes {} bytes of replies, over {} (rekko.proxy.client-output-buffer-limit)",
          ClientCommands.who(session), owed, over);
      close();
    }
  }

  /** The transport may take more bytes: goes on with an incomplete write, then with what waited for it. */
  void writable() throws IOException {
    output.writeUnsent();
    drain();
  }

  /** {@code n} bytes arrived; the decoder keeps {@code chunk} (commands are forwarded as slices of it). */
  void received(byte[] chunk, int off, int n) throws IOException {
    lastInputNanos = System.nanoTime();
    decoder.feed(chunk, off, n);
    dispatch();
    if (!closed) {
      drain();
    }
  }

  /** The client sent its last byte: replies owed still go out, then the connection closes. */
  void inputEnded() throws IOException {
    inputDone = true;
    if (session.blocking()) {
      // Like Redis: a blocked client that leaves is dropped at once, and its blocked command with it.
      close();
      return;
    }
    drain();
  }

  /** Decodes and dispatches the commands the decoder holds, as many as the dispatch window allows. */
  private void dispatch() {
    session.beginBatch();
    try {
      Command cmd;
      // Redis's pre-AUTH limits apply while decoding, so a big bulk is refused before it is buffered;
      // a pipelined AUTH lifts them for the command after it.
      decoder.unauthenticated(!session.authenticated());
      int window = output.window();
      while (!session.quitting() && !session.blocking() && session.inFlight() < window
          && (cmd = decoder.next()) != null) {
        session.dispatch(cmd);
        decoder.unauthenticated(!session.authenticated());
      }
      held = !session.quitting() && session.inFlight() >= window;
      paused = session.blocking();
    } catch (RespProtocolException e) {
      // Like Redis: answer the protocol error after the replies already owed, then close.
      Pending error = new Pending(session, ctx.statsFor(null), System.nanoTime());
      error.completeError(e.getMessage());
      session.queue().add(error);
      closing = true;
      held = false;
    }
    session.processDeferred();
    session.flush();
    session.endBatch();
    long query = decoder.bufferedBytes();
    session.held().queryBuffer(query);
    if (query > limits.queryBufferLimit()) {
      // Like Redis: no reply, the connection is closed.
      ctx.memory.queryLimitDisconnections.incrementAndGet();
      log.warn("client {} closed: its query buffer holds {} bytes, over the {} of rekko.proxy.client-query-buffer-limit",
          ClientCommands.who(session), query, limits.queryBufferLimit());
      close();
    }
  }

  /**
   * Writes the replies that are ready; dispatches held commands the window has room for again, for as
   * long as it has: commands answered at once (PING …) leave no later event to go on from.
   */
  private void drain() throws IOException {
    output.writeReady();
    while ((held || paused && !session.blocking()) && !output.blocked() && session.inFlight() < output.window()) {
      dispatch();
      if (closed) {
        return;
      }
      output.writeReady();
    }
    if (!output.blocked() && session.queue().isEmpty() && !held && !paused && (closing || session.quitting() || inputDone)) {
      close();
    }
  }

  /** Whether the session may take more commands now. */
  boolean mayRead() {
    long pause = limits.outputPause();
    return !closing && !session.quitting() && !inputDone && !held && session.inFlight() < ctx.proxy.maxPipeline()
        && (pause == 0 || session.held().owed() <= pause) && !ctx.memory.paused();
  }

  /** Closes at once (replies not yet written are dropped); on the core's thread. Counted once. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    transport.close(!output.blocked() && session.queue().isEmpty());
    ctx.sessions.remove(session);
    ctx.clients.decrementAndGet();
    ctx.stats.sessionClosed();
    // Gives back what it held; replies still on their way are dropped as they arrive.
    session.closed();
    output.discard();
  }
}
