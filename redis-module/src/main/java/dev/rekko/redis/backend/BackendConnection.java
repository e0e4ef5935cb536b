package dev.rekko.redis.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One long-lived, pipelined connection to a backend server and database, shared by many sessions.
 * Commands are queued with {@link #send} and go out on {@link #flush}, so a batch from one client read
 * leaves in one socket write; replies are matched to handlers first-in, first-out.
 *
 * <p>While the server is down, {@link #send} fails at once with an error naming the server; the
 * connection reconnects by itself with exponential backoff. Only the very first connect attempt
 * queues commands, so a node that has just started does not answer errors for a healthy backend.
 * Nothing but the {@link Handshake} goes out before the handshake has been answered.
 *
 * <p>An incarnation that fails with commands unanswered becomes a {@link Suspects suspect}: its commands
 * may still run on the server later. The next handshake kills it; {@link #drain} proves it is gone.
 *
 * <p>With {@link DurableWrites durable writes} on, the replies of write commands wait for a replica's
 * confirmation ({@code WAIT}); with them off, that costs one null check per reply.
 *
 * <p>Each incarnation has its own {@link BackendSocket} (TCP, and TLS when configured); {@link Reconnects}
 * says when the next one starts. This class is the callers' side (queue, write); {@link Incarnations} is
 * the I/O thread's (connect, read, fail), sharing its lock, {@link Lifecycle} and {@link Pipeline}. With {@link BackendTimings} each reply's time since its command was
 * written is reported (for latency metrics); without, nothing is measured.
 */
public final class BackendConnection {
  private static final Lifecycle.State UP = Lifecycle.State.UP;
  private final BackendIo io;
  private final BackendAddress address;
  private final int database;
  /** The RESP version the connection speaks (2, or 3 after {@code HELLO 3} in the handshake). */
  private final int protocol;
  private final BackendOptions options;
  private final Suspects suspects = new Suspects();

  private final Object lock = new Object();
  // Guarded by lock; shared with incarnations.
  private final Lifecycle life = new Lifecycle();
  private final Pipeline pipeline;
  private volatile boolean closed;

  private final Incarnations incarnations;

  BackendConnection(BackendIo io, BackendAddress address, int database, BackendOptions options) {
    this(io, address, database, 2, options, BackendTimings.NONE);
  }

  /** @param timings told of each reply's time on this connection; {@link BackendTimings#NONE}: not measured */
  BackendConnection(BackendIo io, BackendAddress address, int database, int protocol, BackendOptions options,
      BackendTimings timings) {
    this.io = io;
    this.address = address;
    this.database = database;
    this.protocol = protocol;
    this.options = options;
    DurableWrites durable = DurableWrites.of(options);
    this.pipeline = new Pipeline(durable, timings);
    this.incarnations = new Incarnations(this, io, protocol, options, suspects, lock, life, pipeline,
        new Answers(durable));
    io.register(incarnations);
    io.execute(incarnations::connect);
  }

  public BackendAddress address() {
    return address;
  }

  public int database() {
    return database;
  }

  /** 2, or 3 when the connection switched to RESP3 in its handshake: its replies are then RESP3. */
  public int protocol() {
    return protocol;
  }

  /**
   * The server's client id of the current incarnation ({@code CLIENT INFO}'s {@code id}), or -1 while
   * unknown (not connected yet, or the server refused CLIENT INFO); for {@code CLIENT UNBLOCK}.
   */
  public long clientId() {
    synchronized (lock) {
      return life.client() == null ? -1 : life.client().id();
    }
  }

  /** Closed for good (the server left the pool); callers holding it should look up a fresh one. */
  public boolean isClosed() {
    return closed;
  }

  public boolean isUp() {
    synchronized (lock) {
      return life.is(UP);
    }
  }

  public int inFlight() {
    synchronized (lock) {
      return pipeline.inFlight();
    }
  }

  public String lastError() {
    synchronized (lock) {
      return life.lastError();
    }
  }

  /** Queues a command that writes nothing: {@link #send(byte[], int, int, ReplyHandler, boolean)}. */
  public void send(byte[] bytes, int off, int len, ReplyHandler handler) {
    send(bytes, off, len, handler, false);
  }

  /**
   * Queues one encoded command; {@code bytes[off, off+len)} must stay unmodified until written. The
   * handler is called exactly once, on the I/O thread or, when the backend is down, right here.
   *
   * @param write the command may write (durable writes then wait for a replica to confirm it)
   */
  public void send(byte[] bytes, int off, int len, ReplyHandler handler, boolean write) {
    String error;
    synchronized (lock) {
      error = queueLocked(ByteBuffer.wrap(bytes, off, len), handler, write);
    }
    if (error != null) {
      handler.onFailure(error);
    }
  }

  /**
   * Queues several commands as one unit: no other thread's command can come between them on this
   * connection (a {@code MULTI … EXEC} block on a shared connection). Each gets its own handler, called
   * as {@link #send} calls them.
   */
  public void sendAll(byte[][] commands, ReplyHandler[] handlers, boolean write) {
    String error = null;
    synchronized (lock) {
      // The state cannot change while the lock is held: all are queued, or none.
      for (int i = 0; i < commands.length && error == null; i++) {
        error = queueLocked(ByteBuffer.wrap(commands[i]), handlers[i], write);
      }
    }
    if (error != null) {
      for (ReplyHandler h : handlers) {
        h.onFailure(error);
      }
    }
  }

  /** Queues a command, or returns the error it fails with now (the server is down). */
  private String queueLocked(ByteBuffer command, ReplyHandler handler, boolean write) {
    if (life.is(UP)) {
      pipeline.add(command, handler, write);
      return null;
    }
    if (life.holdsCommands()) {
      pipeline.hold(command, handler, write);
      return null;
    }
    return life.refusal(address);
  }

  /** Writes what {@link #send} queued, on the caller's thread as far as the socket takes it. */
  public void flush() {
    synchronized (lock) {
      if (life.is(UP) && !pipeline.waitingForSocket() && !pipeline.nothingToWrite()) {
        writeLocked();
      }
    }
  }

  /** Closes for good; commands in flight fail. */
  public void close() {
    io.execute(incarnations::close);
  }

  /**
   * Completes once nothing sent on this connection so far can still run on the server: a PING behind it
   * all has been answered, and every earlier incarnation that failed with commands unanswered is known
   * to be gone ({@link ClientKill}). Fails with a {@link DrainException} when that cannot be proven now
   * (the server does not answer, or refuses the kill); asking again later may succeed. A connection that
   * failed proves nothing by itself: what it sent may still sit in the server's input buffer.
   */
  CompletableFuture<Void> drain() {
    // Answered, or failed: then the connection is a suspect now, if anything was left unanswered.
    CompletableFuture<Void> answered = new CompletableFuture<>();
    send(Handshake.PING, 0, Handshake.PING.length, Handshake.completing(answered));
    flush();
    return answered.thenCompose(x -> suspects.confirmGone(now -> ClientKill.run(io, address, options, now)));
  }

  /** Earlier incarnations that may still hold commands on the server (for tests). */
  List<ServerClient> suspects() {
    return suspects.list();
  }

  /** Writes what the socket takes now; a failure ends the incarnation on the I/O thread. Under the lock. */
  void writeLocked() {
    try {
      pipeline.write(life.socket().wire, life.socket().key, io);
    } catch (IOException e) {
      int gen = life.generation();
      io.execute(() -> incarnations.failIfCurrent(gen, "write failed: " + e.getMessage()));
    }
  }

  /** The I/O thread closed the connection for good ({@link #close}); read without the lock by {@link #isClosed}. */
  void closedForGood() {
    closed = true;
  }

  @Override
  public String toString() {
    return "backend " + address + " db " + database;
  }
}
