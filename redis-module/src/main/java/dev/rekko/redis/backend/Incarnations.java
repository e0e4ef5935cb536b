package dev.rekko.redis.backend;

import dev.rekko.protocol.resp.RespProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The I/O thread's side of a {@link BackendConnection}: starts each incarnation (a {@link BackendSocket},
 * then the {@link Handshake}), follows it (socket readiness, ticks, reads) and ends it when it fails. The
 * selector's keys carry this object, so a ready socket reaches it without a hop through the connection.
 * Callers' threads only write ({@link BackendConnection#flush}); a write that fails ends the incarnation
 * here, on the I/O thread ({@link #failIfCurrent}).
 */
final class Incarnations {
  private static final Lifecycle.State UP = Lifecycle.State.UP;

  private final BackendConnection connection;
  private final BackendIo io;
  private final BackendAddress address;
  private final int database;
  private final int protocol;
  private final BackendOptions options;
  private final Suspects suspects;
  // The connection's, guarded by its lock.
  private final Object lock;
  private final Lifecycle life;
  private final Pipeline pipeline;
  // I/O thread only.
  private final Reconnects reconnects;
  private final ReplyReader reader;

  Incarnations(BackendConnection connection, BackendIo io, int protocol, BackendOptions options, Suspects suspects,
      Object lock, Lifecycle life, Pipeline pipeline, Answers answers) {
    this.connection = connection;
    this.io = io;
    this.address = connection.address();
    this.database = connection.database();
    this.protocol = protocol;
    this.options = options;
    this.suspects = suspects;
    this.lock = lock;
    this.life = life;
    this.pipeline = pipeline;
    this.reconnects = new Reconnects(options);
    this.reader = new ReplyReader(io, lock, pipeline, answers, reconnects);
  }

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
          connection.writeLocked();
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
        connection.send(Handshake.PING, 0, Handshake.PING.length, Handshake.IGNORE);
        connection.flush();
      }
      case RECONNECT -> connect();
      case NOTHING -> { }
    }
  }

  void connect() {
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
      connection.writeLocked();
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

  /** Closes the connection for good; commands in flight fail. */
  void close() {
    fail("ERR backend connection to " + address + " closed", true);
    io.unregister(this);
  }

  /** Ends incarnation {@code gen} with {@code reason}, unless it has ended already. */
  void failIfCurrent(int gen, String reason) {
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
      if (closeForGood) {
        connection.closedForGood();
      }
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
        connection.writeLocked();
      }
    }
  }
}
