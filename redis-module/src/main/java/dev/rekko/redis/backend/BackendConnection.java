package dev.rekko.redis.backend;

import dev.rekko.protocol.resp.ReplyDecoder;
import dev.rekko.protocol.resp.RespProtocolException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
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
 * <p>With {@link BackendOptions#tls() TLS} each incarnation runs its TLS handshake ({@link TlsLink}) after
 * the TCP connect and before the Redis handshake, both within {@code connectTimeout}; without it the
 * plain path is as before (the socket is written through the same field, one null check per read).
 */
public final class BackendConnection {
  private enum State { CONNECTING, HANDSHAKE, UP, DOWN, CLOSED }

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
  private State state = State.CONNECTING;
  private boolean queueWhileConnecting = true;
  private final Pipeline pipeline;
  // This incarnation's name on the server; null until CLIENT INFO has answered.
  private ServerClient client;
  private String lastError;
  private SocketChannel channel;
  // The socket itself, or its TLS channel.
  private GatheringByteChannel wire;
  private TlsLink tls;
  private SelectionKey key;
  private int generation;
  private volatile boolean closed;

  // I/O thread only.
  private ReplyDecoder decoder;
  private long connectStarted;
  private long reconnectAt;
  private long backoffNanos;
  private long lastActivity;
  private final Answers answers;

  BackendConnection(BackendIo io, BackendAddress address, int database, BackendOptions options) {
    this(io, address, database, 2, options);
  }

  BackendConnection(BackendIo io, BackendAddress address, int database, int protocol, BackendOptions options) {
    this.io = io;
    this.address = address;
    this.database = database;
    this.protocol = protocol;
    this.options = options;
    DurableWrites durable = DurableWrites.of(options);
    this.pipeline = new Pipeline(durable);
    this.answers = new Answers(durable);
    this.backoffNanos = options.reconnectBackoffMin().toNanos();
    // A tick can see this connection before connect() has run; it must not read a zero start time
    // and call the connect timed out.
    this.connectStarted = System.nanoTime();
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
      return client == null ? -1 : client.id();
    }
  }

  /** Closed for good (the server left the pool); callers holding it should look up a fresh one. */
  public boolean isClosed() {
    return closed;
  }

  public boolean isUp() {
    synchronized (lock) {
      return state == State.UP;
    }
  }

  public int inFlight() {
    synchronized (lock) {
      return pipeline.inFlight();
    }
  }

  public String lastError() {
    synchronized (lock) {
      return lastError;
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
    if (state == State.UP) {
      pipeline.add(command, handler, write);
      return null;
    }
    if ((state == State.CONNECTING || state == State.HANDSHAKE) && queueWhileConnecting) {
      pipeline.hold(command, handler, write);
      return null;
    }
    return lastError != null ? lastError : "ERR backend " + address + " is not connected";
  }

  /** Writes what {@link #send} queued, on the caller's thread as far as the socket takes it. */
  public void flush() {
    synchronized (lock) {
      if (state == State.UP && !pipeline.waitingForSocket() && !pipeline.nothingToWrite()) {
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
      pipeline.write(wire, key, io);
    } catch (IOException e) {
      int gen = generation;
      io.execute(() -> failIfCurrent(gen, "write failed: " + e.getMessage()));
    }
  }

  // ---- I/O thread from here on ----

  void onReady(SelectionKey k) {
    if (k != key || !k.isValid()) {
      return;
    }
    try {
      if (tls != null && tls.handshaking()) {
        if (k.isConnectable()) {
          channel.finishConnect();
        }
        if (tls.handshake(k)) {
          onConnected();
        }
        return;
      }
      if (k.isConnectable()) {
        channel.finishConnect();
        onConnected();
      }
      if (k.isValid() && k.isReadable()) {
        read();
      }
      if (k.isValid() && k.isWritable()) {
        synchronized (lock) {
          writeLocked();
        }
        if (tls != null && tls.takeReadAfterWrite() && k.isValid()) {
          read();
        }
      }
    } catch (IOException e) {
      failDown(e);
    } catch (RespProtocolException e) {
      failDown("unreadable reply: " + e.getMessage());
    }
  }

  void onTick(long now) {
    State s;
    boolean idle;
    long oldest;
    long limit;
    synchronized (lock) {
      s = state;
      idle = pipeline.idle();
      oldest = pipeline.oldestSince();
      // The oldest command may ask for longer (a MIGRATE of a big key).
      limit = pipeline.replyLimit(options.receiveTimeout().toNanos());
    }
    switch (s) {
      case CONNECTING, HANDSHAKE -> {
        if (now - connectStarted > options.connectTimeout().toNanos()) {
          failDown((s == State.HANDSHAKE ? "handshake not answered within "
              : tls != null && tls.handshaking() ? "TLS handshake not done within " : "connect timed out after ")
              + options.connectTimeout().toMillis() + " ms");
        }
      }
      case UP -> {
        if (!idle && now - oldest > limit) {
          failDown("no reply within " + limit / 1_000_000 + " ms");
        } else if (idle && now - lastActivity > options.pingPeriod().toNanos()) {
          lastActivity = now;
          send(PING, 0, PING.length, Handshake.IGNORE);
          flush();
        }
      }
      case DOWN -> {
        if (now - reconnectAt >= 0) {
          connect();
        }
      }
      case CLOSED -> { }
    }
  }

  private void connect() {
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      state = State.CONNECTING;
      generation++;
      client = null;
      for (Handshake.Step step : Handshake.steps(options, database, protocol, suspects.list(), new Outcome(generation))) {
        pipeline.add(ByteBuffer.wrap(step.command()), step.handler());
      }
    }
    connectStarted = System.nanoTime();
    decoder = new ReplyDecoder();
    try {
      SocketChannel ch = SocketChannel.open();
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      TlsLink link = options.tls() == null ? null : TlsLink.over(ch, options.tls(), address);
      synchronized (lock) {
        channel = ch;
        tls = link;
        wire = link == null ? ch : link.channel();
        key = ch.register(io.selector(), SelectionKey.OP_CONNECT, this);
      }
      if (ch.connect(new InetSocketAddress(address.host(), address.port()))) {
        ch.finishConnect();
        if (link == null || link.handshake(key)) {
          onConnected();
        }
      }
    } catch (IOException e) {
      failDown(e);
    }
  }

  private void onConnected() {
    lastActivity = System.nanoTime();
    synchronized (lock) {
      state = State.HANDSHAKE;
      key.interestOps(SelectionKey.OP_READ);
      writeLocked();
    }
  }

  private void read() throws IOException {
    if (tls == null ? !io.readReplies(channel, decoder, answers.replies) : !readTls()) {
      answers.drop();
      failDown("connection closed by the server");
      return;
    }
    if (answers.replies.isEmpty()) {
      return;
    }
    lastActivity = System.nanoTime();
    boolean expected;
    synchronized (lock) {
      expected = answers.match(pipeline);
    }
    if (!expected) {
      String error = "ERR backend " + address + " is down: a reply arrived that no command was waiting for";
      List<ReplyHandler> orphans = answers.drop();
      fail(error, false);
      orphans.forEach(h -> h.onFailure(error));
      return;
    }
    answers.deliver();
  }

  /** {@link #read} over TLS; false when the server closed the connection. */
  private boolean readTls() throws IOException {
    int result = io.readTlsReplies(tls.channel(), decoder, answers.replies);
    if (result == BackendIo.MORE) {
      // The TLS channel may hold more that the selector cannot see: read on in a later round.
      int gen;
      synchronized (lock) {
        gen = generation;
      }
      io.execute(() -> readAgain(gen));
    } else if (result == BackendIo.NEEDS_WRITE) {
      tls.readWaitsForWrite();
      synchronized (lock) {
        pipeline.stallForTls(key, io);
      }
    }
    return result != BackendIo.CLOSED;
  }

  private void readAgain(int gen) {
    synchronized (lock) {
      if (gen != generation || key == null) {
        return;
      }
    }
    try {
      read();
    } catch (IOException e) {
      failDown(e);
    } catch (RespProtocolException e) {
      failDown("unreadable reply: " + e.getMessage());
    }
  }

  private void failIfCurrent(int gen, String reason) {
    synchronized (lock) {
      if (gen != generation) {
        return;
      }
    }
    failDown(reason);
  }

  /** A failed TLS handshake or TLS record says so: "TLS: " and the JDK's reason (an untrusted certificate …). */
  private void failDown(IOException e) {
    String reason = e.getMessage() == null ? e.toString() : e.getMessage();
    failDown(e instanceof SSLException ? "TLS: " + reason : reason);
  }

  private void failDown(String reason) {
    fail("ERR backend " + address + " is down: " + reason, false);
  }

  private void fail(String error, boolean closeForGood) {
    List<ReplyHandler> failed;
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      if (state == State.UP && !pipeline.idle() && !closeForGood) {
        // What was sent and not answered may still run on the server, whatever this side does now.
        suspects.add(client);
      }
      state = closeForGood ? State.CLOSED : State.DOWN;
      closed = closeForGood;
      queueWhileConnecting = false;
      lastError = error;
      generation++;
      failed = pipeline.clear();
      if (key != null) {
        key.cancel();
      }
      if (tls != null) {
        tls.close();
      }
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // already broken
        }
      }
      channel = null;
      wire = null;
      tls = null;
      key = null;
    }
    decoder = null;
    reconnectAt = System.nanoTime() + backoffNanos;
    backoffNanos = Math.min(backoffNanos * 2, options.reconnectBackoffMax().toNanos());
    answers.fail(error);
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
        if (gen != generation || state != State.HANDSHAKE) {
          return;
        }
        client = self;
        state = State.UP;
        lastError = null;
        // Only a connection that came up resets the backoff: a refused handshake must not spin.
        backoffNanos = options.reconnectBackoffMin().toNanos();
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
