package dev.rekko.redis.backend;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.ReplyDecoder;
import dev.rekko.redis.io.SelectorLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import tlschannel.NeedsReadException;
import tlschannel.NeedsWriteException;
import tlschannel.TlsChannel;

/**
 * One selector thread serving many backend connections: connects, reads and decodes replies, writes
 * what callers could not write directly, and runs the periodic checks (timeouts, pings, reconnects).
 * Callers write to the socket themselves (see {@link SelectorLoop} for why plain NIO).
 *
 * <p>A subclass may serve other channels on the same thread: the node's client I/O threads are
 * backend loops too ({@link BackendPool#runOn}), so a session's backend replies are read on the thread
 * that writes them to its client, with no hand-off between threads. It passes the keys that are not
 * its own to {@link #onReady}, calls {@link #onTick} every tick, and {@link #start()} when built.
 */
public class BackendIo extends SelectorLoop {
  /** How often the backend checks run; a subclass's loop ticks this often too. */
  private static final long TICK_NANOS = 50_000_000L;

  private final List<Incarnations> connections = new CopyOnWriteArrayList<>();
  private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);

  /** A loop not started yet: the subclass calls {@link #start()} at the end of its constructor. */
  protected BackendIo(String name) {
    super(name, TICK_NANOS);
  }

  /** A loop of backend connections only, running. */
  static BackendIo started(String name) {
    BackendIo io = new BackendIo(name);
    io.start();
    return io;
  }

  /**
   * Reads what {@code channel} has now and decodes the complete replies into {@code into}; false when
   * the server closed the connection (replies read before that are in {@code into}).
   */
  boolean readReplies(SocketChannel channel, ReplyDecoder decoder, List<Reply> into) throws IOException {
    ByteBuffer buf = readBuffer;
    for (int round = 0; round < 16; round++) {
      buf.clear();
      int n = channel.read(buf);
      if (n < 0) {
        return false;
      }
      if (n == 0) {
        break;
      }
      // The decoder keeps references to its chunks (replies are forwarded as slices), so each read
      // gets its own array.
      decoder.feed(java.util.Arrays.copyOf(buf.array(), n), 0, n);
      Reply r;
      while ((r = decoder.next()) != null) {
        into.add(r);
      }
      if (n < buf.capacity()) {
        break;
      }
    }
    return true;
  }

  /** {@link #readTlsReplies}: the server closed the connection. */
  static final int CLOSED = -1;
  /** {@link #readTlsReplies}: all read; wait for the socket. */
  static final int DRAINED = 0;
  /** {@link #readTlsReplies}: this round's share read; more may wait inside the TLS channel. */
  static final int MORE = 1;
  /** {@link #readTlsReplies}: the TLS channel must write first (a TLS message to answer); wait for write readiness. */
  static final int NEEDS_WRITE = 2;

  /**
   * {@link #readReplies} over TLS. A TLS channel hands out one record (at most 16 KiB) per read and keeps
   * what it read from the socket beyond it, where the selector cannot see it: so it is read until it says
   * it needs the socket ({@code NeedsReadException}). After 16 full buffers the caller reads again in a
   * later round, so that one busy connection does not hold up the others.
   */
  int readTlsReplies(TlsChannel channel, ReplyDecoder decoder, List<Reply> into) throws IOException {
    ByteBuffer buf = readBuffer;
    for (int round = 0; round < 16; round++) {
      buf.clear();
      int result = MORE;
      try {
        while (buf.hasRemaining()) {
          if (channel.read(buf) < 0) {
            result = CLOSED;
            break;
          }
        }
      } catch (NeedsReadException e) {
        result = DRAINED;
      } catch (NeedsWriteException e) {
        result = NEEDS_WRITE;
      }
      int n = buf.position();
      if (n > 0) {
        decoder.feed(java.util.Arrays.copyOf(buf.array(), n), 0, n);
        Reply r;
        while ((r = decoder.next()) != null) {
          into.add(r);
        }
      }
      if (result != MORE) {
        return result;
      }
    }
    return MORE;
  }

  void register(Incarnations connection) {
    connections.add(connection);
  }

  void unregister(Incarnations connection) {
    connections.remove(connection);
  }

  /** Serves a backend connection's key. */
  @Override
  protected void onReady(SelectionKey key) {
    ((Incarnations) key.attachment()).onReady(key);
  }

  @Override
  protected void onTick(long nowNanos) {
    for (Incarnations c : connections) {
      c.onTick(nowNanos);
    }
  }

  @Override
  public void close() {
    for (Incarnations c : connections) {
      execute(c::close);
    }
    super.close();
  }
}
