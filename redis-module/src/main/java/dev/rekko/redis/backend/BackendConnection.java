package dev.rekko.redis.backend;

import dev.rekko.protocol.resp.RespProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;

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
 * says when the next one starts. With {@link BackendTimings} each reply's time since its command was
 * written is reported (for latency metrics); without, nothing is measured.
 */
public final class BackendConnection {
  private static final Lifecycle.State UP = Lifecycle.State.UP;
  private static final byte[] PING = Handshake.encode("PING");
  private final BackendIo io;
  private final BackendAddress address;
  private final int database;
  /** The RESP version the connection speaks (2, or 3 after {@code HELLO 3} in the handshake). */
  private final int protocol;
  private final BackendOptions options;
  private final Suspects suspects = new Suspects();

  private final Object lock = new Object();
  // Guarded by lock.
  private final Lifecycle life = new Lifecycle();
  private final Pipeline pipeline;
  private volatile boolean closed;

  // I/O thread only.
  private final Reconnects reconnects;
  private final ReplyReader reader;

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
    this.reconnects = new Reconnects(options);
    this.reader = new ReplyReader(io, lock, pipeline, new Answers(durable), reconnects);
    io.register(this);
    io.execute(this::connect);
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
    io.execute(() -> {
      fail("ERR backend connection to " + address + " closed", true);
      io.unregister(this);
    });
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
    send(PING, 0, PING.length, Handshake.completing(answered));
    flush();
    return answered.thenCompose(x -> suspects.confirmGone(now -> ClientKill.run(io, address, options, now)));
  }

  /** Earlier incarnations that may still hold commands on the server (for tests). */
  List<ServerClient> suspects() {
    return suspects.list();
  }

  private void writeLocked() {
    try {
      pipeline.write(life.socket().wire, life.socket().key, io);
    } catch (IOException e) {
      int gen = life.generation();
      io.execute(() -> failIfCurrent(gen, "write failed: " + e.getMessage()));
    }
  }

  // ---- I/O thread from here on ----

  void onReady(SelectionKey k) {
    BackendSocket s;
    synchronized (lock) {
      s = life.socket();
    }
    if (s == null || k != s.key || !k.isValid()) {
      return;
    }
    try {
      int progress = s.progress(k);
      if (progress == BackendSocket.CONNECTED) {
        onConnected();
      }
      if (progress == BackendSocket.WAITING || (progress == BackendSocket.CONNECTED && s.tls())) {
        return;
      }
      if (k.isValid() && k.isReadable()) {
        read();
      }
      if (k.isValid() && k.isWritable()) {
        synchronized (lock) {
          writeLocked();
        }
        if (s.takeReadAfterWrite() && k.isValid()) {
          read();
        }
      }
    } catch (IOException | RespProtocolException e) {
      failDown(e);
    }
  }

  void onTick(long now) {
    Reconnects.Due due;
    synchronized (lock) {
      due = switch (life.state()) {
        case CONNECTING, HANDSHAKE -> reconnects.connectingTick(now, life.is(Lifecycle.State.HANDSHAKE),
            life.socket() != null && life.socket().tlsHandshaking());
        // The oldest command may ask for longer than receiveTimeout (a MIGRATE of a big key).
        case UP -> reconnects.upTick(now, pipeline.idle(), pipeline.oldestSince(),
            pipeline.replyLimit(options.receiveTimeout().toNanos()));
        case DOWN -> reconnects.downTick(now);
        case CLOSED -> Reconnects.Due.NOTHING;
      };
    }
    switch (due) {
      case FAIL -> failDown(reconnects.reason());
      case PING -> {
        send(PING, 0, PING.length, Handshake.IGNORE);
        flush();
      }
      case RECONNECT -> connect();
      case NOTHING -> { }
    }
  }

  private void connect() {
    synchronized (lock) {
      int gen = life.begin();
      if (gen < 0) {
        return;
      }
      for (Handshake.Step step : Handshake.steps(options, database, protocol, suspects.list(), new Outcome(gen))) {
        pipeline.add(ByteBuffer.wrap(step.command()), step.handler());
      }
    }
    reconnects.connecting(System.nanoTime());
    try {
      BackendSocket s = BackendSocket.open(io, address, options, this);
      synchronized (lock) {
        life.opened(s);
      }
      if (s.connect(address)) {
        onConnected();
      }
    } catch (IOException e) {
      failDown(e);
    }
  }

  private void onConnected() {
    reconnects.active(System.nanoTime());
    synchronized (lock) {
      life.connected();
      writeLocked();
    }
  }

  private void read() throws IOException {
    BackendSocket s;
    synchronized (lock) {
      s = life.socket();
    }
    switch (reader.read(s)) {
      case BackendIo.CLOSED -> failDown("connection closed by the server");
      case ReplyReader.UNEXPECTED -> {
        String error = "ERR backend " + address + " is down: a reply arrived that no command was waiting for";
        List<ReplyHandler> orphans = reader.orphans();
        fail(error, false);
        orphans.forEach(h -> h.onFailure(error));
      }
      case BackendIo.MORE -> {
        // The TLS channel may hold more that the selector cannot see: read on in a later round.
        int gen;
        synchronized (lock) {
          gen = life.generation();
        }
        io.execute(() -> readAgain(gen));
      }
      default -> { }
    }
  }

  private void readAgain(int gen) {
    synchronized (lock) {
      if (!life.current(gen) || life.socket() == null) {
        return;
      }
    }
    try {
      read();
    } catch (IOException | RespProtocolException e) {
      failDown(e);
    }
  }

  private void failIfCurrent(int gen, String reason) {
    synchronized (lock) {
      if (!life.current(gen)) {
        return;
      }
    }
    failDown(reason);
  }

  /**
   * A failed TLS handshake or TLS record says so: "TLS: " and the JDK's reason (an untrusted certificate …);
   * a reply that cannot be decoded, "unreadable reply: " and why.
   */
  private void failDown(Exception e) {
    String reason = e.getMessage() == null ? e.toString() : e.getMessage();
    failDown(e instanceof SSLException ? "TLS: " + reason
        : e instanceof RespProtocolException ? "unreadable reply: " + reason : reason);
  }

  private void failDown(String reason) {
    fail("ERR backend " + address + " is down: " + reason, false);
  }

  private void fail(String error, boolean closeForGood) {
    List<ReplyHandler> failed;
    synchronized (lock) {
      if (life.is(UP) && !pipeline.idle() && !closeForGood) {
        // What was sent and not answered may still run on the server, whatever this side does now.
        suspects.add(life.client());
      }
      if (!life.end(error, closeForGood)) {
        return;
      }
      closed = closeForGood;
      failed = pipeline.clear();
    }
    reconnects.failed(System.nanoTime());
    reader.failed(error);
    for (ReplyHandler h : failed) {
      h.onFailure(error);
    }
  }

  /** The handshake's answers for one incarnation; ignored once that one has failed. */
  private final class Outcome implements Handshake.Outcome {
    private final int gen;

    Outcome(int gen) {
      this.gen = gen;
    }

    @Override
    public void refused(String reason) {
      failIfCurrent(gen, reason);
    }

    @Override
    public void gone(ServerClient earlier) {
      suspects.gone(earlier);
    }

    @Override
    public void identified(ServerClient self) {
      synchronized (lock) {
        if (!life.identified(gen, self)) {
          return;
        }
        reconnects.up();
        pipeline.release();
        writeLocked();
      }
    }
  }

  @Override
  public String toString() {
    return "backend " + address + " db " + database;
  }
}
