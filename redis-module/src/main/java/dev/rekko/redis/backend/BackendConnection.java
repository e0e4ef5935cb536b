package dev.rekko.redis.backend;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.ReplyDecoder;
import dev.rekko.protocol.resp.RespProtocolException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One long-lived, pipelined connection to a backend server and database, shared by many sessions.
 * Commands are queued with {@link #send} and go out on {@link #flush}, so a batch from one client read
 * leaves in one socket write; replies are matched to handlers first-in, first-out.
 *
 * <p>While the server is down, {@link #send} fails at once with an error naming the server; the
 * connection reconnects by itself with exponential backoff. Only the very first connect attempt
 * queues commands, so a node that has just started does not answer errors for a healthy backend.
 */
public final class BackendConnection {
  private enum State { CONNECTING, UP, DOWN, CLOSED }

  private static final int MAX_GATHER = 64;
  private final BackendIo io;
  private final BackendAddress address;
  private final int database;
  private final BackendOptions options;

  private final Object lock = new Object();
  // Guarded by lock.
  private State state = State.CONNECTING;
  private boolean queueWhileConnecting = true;
  private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
  private final ArrayDeque<ReplyHandler> pending = new ArrayDeque<>();
  private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
  private boolean writeInterest;
  private String lastError;
  private long oldestSince;
  private SocketChannel channel;
  private SelectionKey key;
  private int generation;
  private volatile boolean closed;

  // I/O thread only.
  private ReplyDecoder decoder;
  private long connectStarted;
  private long reconnectAt;
  private long backoffNanos;
  private long lastActivity;
  private final List<Reply> replies = new ArrayList<>();
  private final List<ReplyHandler> handlers = new ArrayList<>();

  BackendConnection(BackendIo io, BackendAddress address, int database, BackendOptions options) {
    this.io = io;
    this.address = address;
    this.database = database;
    this.options = options;
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
      return pending.size();
    }
  }

  public String lastError() {
    synchronized (lock) {
      return lastError;
    }
  }

  /**
   * Queues one encoded command; {@code bytes[off, off+len)} must stay unmodified until written. The
   * handler is called exactly once, on the I/O thread or, when the backend is down, right here.
   */
  public void send(byte[] bytes, int off, int len, ReplyHandler handler) {
    String error;
    synchronized (lock) {
      if (state == State.UP || (state == State.CONNECTING && queueWhileConnecting)) {
        if (pending.isEmpty()) {
          oldestSince = System.nanoTime();
        }
        out.add(ByteBuffer.wrap(bytes, off, len));
        pending.add(handler);
        return;
      }
      error = lastError != null ? lastError : "ERR backend " + address + " is not connected";
    }
    handler.onFailure(error);
  }

  /** Writes what {@link #send} queued, on the caller's thread as far as the socket takes it. */
  public void flush() {
    synchronized (lock) {
      if (state == State.UP && !writeInterest && !out.isEmpty()) {
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

  private void writeLocked() {
    try {
      while (!out.isEmpty()) {
        int n = 0;
        for (ByteBuffer b : out) {
          gather[n++] = b;
          if (n == MAX_GATHER) {
            break;
          }
        }
        channel.write(gather, 0, n);
        boolean socketFull = gather[n - 1].hasRemaining();
        java.util.Arrays.fill(gather, 0, n, null);
        while (!out.isEmpty() && !out.peekFirst().hasRemaining()) {
          out.pollFirst();
        }
        if (socketFull) {
          break;
        }
      }
      boolean want = !out.isEmpty();
      if (want != writeInterest) {
        writeInterest = want;
        key.interestOps(want ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        if (want && !io.inLoop()) {
          io.selector().wakeup();
        }
      }
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
      }
    } catch (IOException e) {
      failDown(e.getMessage() == null ? e.toString() : e.getMessage());
    } catch (RespProtocolException e) {
      failDown("unreadable reply: " + e.getMessage());
    }
  }

  void onTick(long now) {
    State s;
    boolean idle;
    long oldest;
    synchronized (lock) {
      s = state;
      idle = pending.isEmpty();
      oldest = oldestSince;
    }
    switch (s) {
      case CONNECTING -> {
        if (now - connectStarted > options.connectTimeout().toNanos()) {
          failDown("connect timed out after " + options.connectTimeout().toMillis() + " ms");
        }
      }
      case UP -> {
        if (!idle && now - oldest > options.receiveTimeout().toNanos()) {
          failDown("no reply within " + options.receiveTimeout().toMillis() + " ms");
        } else if (idle && now - lastActivity > options.pingPeriod().toNanos()) {
          lastActivity = now;
          sendInternal(Handshake.IGNORE, "PING");
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
    List<String[]> handshake = Handshake.commands(options, database);
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      state = State.CONNECTING;
      generation++;
      // The handshake goes first, ahead of anything sessions queued while connecting.
      for (int i = handshake.size() - 1; i >= 0; i--) {
        String[] cmd = handshake.get(i);
        out.addFirst(ByteBuffer.wrap(Handshake.encode(cmd)));
        pending.addFirst(Handshake.checking(cmd[0], msg -> io.execute(() -> failDown(msg))));
      }
    }
    connectStarted = System.nanoTime();
    decoder = new ReplyDecoder();
    try {
      SocketChannel ch = SocketChannel.open();
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      synchronized (lock) {
        channel = ch;
        key = ch.register(io.selector(), SelectionKey.OP_CONNECT, this);
      }
      if (ch.connect(new InetSocketAddress(address.host(), address.port()))) {
        ch.finishConnect();
        onConnected();
      }
    } catch (IOException e) {
      failDown(e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  private void onConnected() {
    lastActivity = System.nanoTime();
    synchronized (lock) {
      state = State.UP;
      lastError = null;
      writeInterest = false;
      key.interestOps(SelectionKey.OP_READ);
      if (!pending.isEmpty()) {
        oldestSince = lastActivity;
      }
      writeLocked();
    }
  }

  private void read() throws IOException {
    ByteBuffer buf = io.readBuffer();
    for (int round = 0; round < 16; round++) {
      buf.clear();
      int n = channel.read(buf);
      if (n < 0) {
        failDown("connection closed by the server");
        return;
      }
      if (n == 0) {
        break;
      }
      // The decoder keeps references to its chunks (replies are forwarded as slices), so each read
      // gets its own array.
      decoder.feed(java.util.Arrays.copyOf(buf.array(), n), 0, n);
      Reply r;
      while ((r = decoder.next()) != null) {
        replies.add(r);
      }
      if (n < buf.capacity()) {
        break;
      }
    }
    if (replies.isEmpty()) {
      return;
    }
    lastActivity = System.nanoTime();
    backoffNanos = options.reconnectBackoffMin().toNanos();
    synchronized (lock) {
      for (int i = 0; i < replies.size(); i++) {
        ReplyHandler h = pending.pollFirst();
        if (h == null) {
          break;
        }
        handlers.add(h);
      }
      oldestSince = lastActivity;
    }
    if (handlers.size() < replies.size()) {
      replies.clear();
      handlers.clear();
      failDown("a reply arrived that no command was waiting for");
      return;
    }
    for (int i = 0; i < replies.size(); i++) {
      handlers.get(i).onReply(replies.get(i));
    }
    replies.clear();
    handlers.clear();
  }

  private void sendInternal(ReplyHandler handler, String... args) {
    byte[] bytes = Handshake.encode(args);
    synchronized (lock) {
      if (pending.isEmpty()) {
        oldestSince = System.nanoTime();
      }
      out.add(ByteBuffer.wrap(bytes));
      pending.add(handler);
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

  private void failDown(String reason) {
    fail("ERR backend " + address + " is down: " + reason, false);
  }

  private void fail(String error, boolean closeForGood) {
    List<ReplyHandler> failed;
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      state = closeForGood ? State.CLOSED : State.DOWN;
      closed = closeForGood;
      queueWhileConnecting = false;
      lastError = error;
      generation++;
      failed = new ArrayList<>(pending);
      pending.clear();
      out.clear();
      writeInterest = false;
      if (key != null) {
        key.cancel();
      }
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // already broken
        }
      }
      channel = null;
      key = null;
    }
    decoder = null;
    reconnectAt = System.nanoTime() + backoffNanos;
    backoffNanos = Math.min(backoffNanos * 2, options.reconnectBackoffMax().toNanos());
    for (ReplyHandler h : failed) {
      h.onFailure(error);
    }
  }

  @Override
  public String toString() {
    return "backend " + address + " db " + database;
  }
}
