package dev.rekko.node.proxy;

import dev.rekko.protocol.resp.Command;
import dev.rekko.protocol.resp.RequestDecoder;
import dev.rekko.protocol.resp.RespProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: bytes in → decode → dispatch → in-order replies → bytes out, all on its
 * {@link ClientIo} thread. Everything decoded from one read is dispatched as a batch and its backend
 * writes leave together; replies that completed meanwhile leave in one write too.
 *
 * <p>Backpressure instead of errors: the connection stops reading while {@code max-pipeline} commands
 * are in flight or unsent, so a client that pipelines faster than the backends answer, or reads its
 * replies slowly (its unsent replies wait in the queue while a write is incomplete), simply waits.
 */
final class ClientConnection {
  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
  /** Replies are merged into one write up to this size; a bigger one leaves alone, uncopied. */
  private static final int MAX_WRITE = 256 * 1024;

  private final ClientIo io;
  private final SocketChannel channel;
  private final NodeContext ctx;
  private final RequestDecoder decoder = new RequestDecoder();
  private final Session session;
  private SelectionKey key;
  private int interest;
  // The part of a write the socket did not take yet; nothing else is written before it.
  private ByteBuffer unsent;
  private boolean inputDone;
  private boolean closing;
  private boolean closed;
  private long lastInputNanos = System.nanoTime();

  ClientConnection(ClientIo io, SocketChannel channel, NodeContext ctx, String remote) {
    this.io = io;
    this.channel = channel;
    this.ctx = ctx;
    this.session = new Session(ctx, ctx.sessionIds.incrementAndGet(), remote, () -> io.wake(this), io::flushLater);
  }

  /** On the I/O thread: registers the channel and starts reading. */
  void start() {
    ctx.sessions.add(session);
    ctx.stats.sessionOpened();
    io.added(this);
    try {
      interest = SelectionKey.OP_READ;
      key = channel.register(io.selector(), interest, this);
    } catch (ClosedChannelException | java.nio.channels.ClosedSelectorException e) {
      // The client left at once, or the node is stopping.
      close();
    }
  }

  void onReady(SelectionKey k) {
    if (closed || !k.isValid()) {
      return;
    }
    guarded(() -> {
      if (k.isWritable()) {
        writeUnsent();
        drain();
      }
      if (!closed && k.isReadable()) {
        read();
      }
    });
  }

  /** The session signalled: replies completed, or deferred commands may go on. */
  void onWake() {
    if (closed) {
      return;
    }
    guarded(() -> {
      session.clearSignal();
      if (session.hasDeferred()) {
        session.beginBatch();
        session.processDeferred();
        session.flush();
        session.endBatch();
      }
      drain();
    });
  }

  private interface IoStep {
    void run() throws IOException;
  }

  /** Runs one step of the connection, then sets its interest; any failure closes this connection alone. */
  private void guarded(IoStep step) {
    try {
      step.run();
      if (!closed) {
        updateInterest();
      }
    } catch (IOException e) {
      close();
    } catch (RuntimeException e) {
      log.error("client connection {} failed", session.remote, e);
      close();
    }
  }

  void onTick(long now) {
    long idleNanos = ctx.proxy.idleTimeout().toNanos();
    if (!closed && idleNanos > 0 && session.inFlight() == 0 && unsent == null && now - lastInputNanos > idleNanos) {
      close();
    }
  }

  private void read() throws IOException {
    ByteBuffer buf = io.readBuffer();
    buf.clear();
    int n = channel.read(buf);
    if (n < 0) {
      inputDone = true;
      drain();
      return;
    }
    if (n == 0) {
      return;
    }
    lastInputNanos = System.nanoTime();
    // The decoder keeps references to its chunks (commands are forwarded as slices of them).
    byte[] chunk = new byte[n];
    buf.flip();
    buf.get(chunk);
    decoder.feed(chunk, 0, n);
    session.beginBatch();
    try {
      Command cmd;
      while (!session.quitting && (cmd = decoder.next()) != null) {
        session.dispatch(cmd);
      }
    } catch (RespProtocolException e) {
      // Like Redis: answer the protocol error after the replies already owed, then close.
      Pending error = new Pending(session, ctx.statsFor(null), System.nanoTime());
      error.completeError(e.getMessage());
      session.queue().add(error);
      closing = true;
    }
    session.processDeferred();
    session.flush();
    session.endBatch();
    drain();
  }

  /** Writes every reply at the head of the queue that is complete, merged, as far as the socket takes them. */
  private void drain() throws IOException {
    ArrayDeque<Pending> queue = session.queue();
    while (unsent == null) {
      int count = 0;
      long bytes = 0;
      for (Pending p : queue) {
        if (!p.done || (count > 0 && bytes + p.length > MAX_WRITE)) {
          break;
        }
        count++;
        bytes += p.length;
      }
      if (count == 0) {
        break;
      }
      ByteBuffer b = take(queue, count, bytes);
      channel.write(b);
      if (b.hasRemaining()) {
        unsent = b;
      }
    }
    if (unsent == null && queue.isEmpty() && (closing || session.quitting || inputDone)) {
      close();
    }
  }

  private void writeUnsent() throws IOException {
    if (unsent != null) {
      channel.write(unsent);
      if (!unsent.hasRemaining()) {
        unsent = null;
      }
    }
  }

  private ByteBuffer take(ArrayDeque<Pending> queue, int count, long bytes) {
    long now = System.nanoTime();
    if (count == 1) {
      Pending p = queue.poll();
      p.stats.record(now - p.startNanos, p.error);
      return ByteBuffer.wrap(p.array, p.offset, p.length);
    }
    byte[] merged = new byte[(int) bytes];
    int pos = 0;
    for (int i = 0; i < count; i++) {
      Pending p = queue.poll();
      System.arraycopy(p.array, p.offset, merged, pos, p.length);
      pos += p.length;
      p.stats.record(now - p.startNanos, p.error);
    }
    return ByteBuffer.wrap(merged, 0, pos);
  }

  /** Read interest only while the session may take more commands; write interest while a write is incomplete. */
  private void updateInterest() {
    boolean reading = !closing && !session.quitting && !inputDone && session.inFlight() < ctx.proxy.maxPipeline();
    int want = (reading ? SelectionKey.OP_READ : 0) | (unsent != null ? SelectionKey.OP_WRITE : 0);
    if (want != interest && key != null && key.isValid()) {
      interest = want;
      key.interestOps(want);
    }
  }

  /** Closes at once (replies not yet written are dropped); on the I/O thread. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (key != null) {
      key.cancel();
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    io.removed(this);
    ctx.sessions.remove(session);
    ctx.clients.decrementAndGet();
    ctx.stats.sessionClosed();
  }
}
