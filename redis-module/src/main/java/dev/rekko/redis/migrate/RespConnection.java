package dev.rekko.redis.migrate;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.ReplyDecoder;
import dev.rekko.protocol.resp.RespProtocolException;
import dev.rekko.protocol.resp.RespValue;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.backend.BackendAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * A blocking RESP2 connection for the mover: commands are queued with {@link #send}, written with
 * {@link #flush}, and replies read in order with {@link #read}. Blocking is the right tool here —
 * the mover has one job per connection and a thread for it — and it keeps the retry logic linear.
 *
 * <p>Reads wait in short slices so that a cancelled walk or an interrupted thread is noticed within
 * a fraction of a second even while Redis works on a long MIGRATE. After an {@link IOException}, a
 * timeout or a cancellation the connection's state is unknown: close it and open a new one.
 */
final class RespConnection implements AutoCloseable {
  private static final int READ_CHUNK = 64 * 1024;
  /** Reads smaller than this are copied out so that the read buffer can be reused. */
  private static final int COPY_BELOW = 8 * 1024;
  private static final long SLICE_NANOS = 100_000_000L;

  private final BackendAddress address;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private RespWriter writer = new RespWriter(16 * 1024);
  private ReplyDecoder decoder = new ReplyDecoder();
  private boolean limited;
  private byte[] chunk = new byte[READ_CHUNK];
  private int selectedDb;
  private int lastSoTimeout = -1;
  private java.util.concurrent.atomic.AtomicLong sentCounter;

  private RespConnection(BackendAddress address, Socket socket) throws IOException {
    this.address = address;
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Connects and logs in with the mover's timeouts; the connection starts in database 0. */
  static RespConnection open(BackendAddress address, Credentials credentials, ServerMoverSettings options)
      throws IOException {
    return open(address, credentials, options.connectTimeout().toMillis(), options.commandWaitNanos());
  }

  /** Connects and logs in; the connection starts in database 0. */
  static RespConnection open(BackendAddress address, Credentials credentials, long connectTimeoutMillis,
      long replyWaitNanos) throws IOException {
    Socket socket = credentials.tls() == null ? new Socket()
        : credentials.tls().connect(address.host(), address.port(), (int) connectTimeoutMillis);
    try {
      if (credentials.tls() == null) {
        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);
        socket.connect(new InetSocketAddress(address.host(), address.port()), (int) connectTimeoutMillis);
      }
      RespConnection c = new RespConnection(address, socket);
      if (credentials.present()) {
        if (credentials.user().isEmpty()) {
          c.send("AUTH", credentials.password());
        } else {
          c.send("AUTH", credentials.user(), credentials.password());
        }
        RespValue reply = c.flushAndRead(replyWaitNanos);
        if (reply instanceof RespValue.Error e) {
          throw new IOException("AUTH on " + address + " failed: " + e.message());
        }
      }
      return c;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  BackendAddress address() {
    return address;
  }

  int selectedDb() {
    return selectedDb;
  }

  /**
   * Switches to {@code db} unless the connection is there already, waiting for SELECT's answer: a
   * command pipelined behind a SELECT that failed would run in the previous database.
   */
  RespConnection select(int db, long waitNanos, BooleanSupplier cancelled) throws IOException, InterruptedException {
    if (selectedDb != db) {
      send("SELECT", Integer.toString(db));
      flush();
      RespValue r = read(waitNanos, cancelled);
      if (!(r instanceof RespValue.SimpleString)) {
        throw new IOException("SELECT " + db + " failed on " + address + ": " + MigrateReplies.describe(r));
      }
      selectedDb = db;
    }
    return this;
  }

  /** Records the database a SELECT already sent on this connection switches to. */
  void selectedDb(int db) {
    selectedDb = db;
  }

  void send(String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    send(argv);
  }

  void send(byte[]... argv) {
    writer.writeCommand(argv);
    if (sentCounter != null) {
      sentCounter.incrementAndGet();
    }
  }

  /** A reply longer than {@link #limitReplies} allows; the connection is unusable after it. */
  static final class ReplyTooLongException extends IOException {
    ReplyTooLongException(String message) {
      super(message);
    }
  }

  /**
   * Refuses any bulk reply longer than {@code maxBulkBytes} before reading it, with a {@link
   * ReplyTooLongException}: for replies whose size the mover cannot know beforehand (DUMP).
   * Call before the first read.
   */
  RespConnection limitReplies(long maxBulkBytes) {
    decoder = new ReplyDecoder(dev.rekko.protocol.resp.RespLimits.DEFAULT.withMaxBulkLength(maxBulkBytes));
    limited = true;
    return this;
  }

  /** Counts every command sent from now on into {@code counter} (see {@link SourceLoad}). */
  RespConnection countInto(java.util.concurrent.atomic.AtomicLong counter) {
    sentCounter = counter;
    return this;
  }

  void flush() throws IOException {
    if (writer.length() > 0) {
      out.write(writer.array(), 0, writer.length());
      out.flush();
      // A command with a big key must not keep its buffer alive for the connection's lifetime.
      writer = writer.array().length > 1024 * 1024 ? new RespWriter(16 * 1024) : writer.reset();
    }
  }

  RespValue flushAndRead(long waitNanos) throws IOException {
    flush();
    try {
      return read(waitNanos, () -> false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + address, e);
    }
  }

  /**
   * The next reply, waiting at most {@code waitNanos}.
   *
   * @throws SocketTimeoutException when no reply came in time
   * @throws CancellationException when {@code cancelled} became true while waiting
   * @throws InterruptedException when the thread was interrupted while waiting
   */
  RespValue read(long waitNanos, BooleanSupplier cancelled) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + waitNanos;
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before reading from " + address);
    }
    while (true) {
      Reply reply;
      try {
        reply = decoder.next();
      } catch (RespProtocolException e) {
        if (limited) {
          // From a real Redis the one protocol error to expect here is the length limit.
          throw new ReplyTooLongException("reply from " + address + " over the limit: " + e.getMessage());
        }
        throw new IOException("protocol error from " + address + ": " + e.getMessage(), e);
      }
      if (reply != null) {
        return reply.value();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("no reply from " + address + " within "
            + waitNanos / 1_000_000 + " ms");
      }
      int soTimeout = (int) Math.max(1, Math.min(left, SLICE_NANOS) / 1_000_000);
      if (soTimeout != lastSoTimeout) {
        socket.setSoTimeout(soTimeout);
        lastSoTimeout = soTimeout;
      }
      int n;
      try {
        n = in.read(chunk, 0, chunk.length);
      } catch (SocketTimeoutException e) {
        if (Thread.interrupted()) {
          throw new InterruptedException("interrupted while waiting for " + address);
        }
        if (cancelled.getAsBoolean()) {
          throw new CancellationException("cancelled while waiting for " + address);
        }
        continue;
      }
      if (n < 0) {
        throw new IOException("connection closed by " + address);
      }
      // The decoder keeps a reference to what it is fed, so a fed buffer is never written again.
      if (n < COPY_BELOW) {
        decoder.feed(java.util.Arrays.copyOf(chunk, n));
      } else {
        decoder.feed(chunk, 0, n);
        chunk = new byte[READ_CHUNK];
      }
    }
  }

  boolean isClosed() {
    return socket.isClosed();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing is best effort; the socket is unusable either way.
    }
  }
}
