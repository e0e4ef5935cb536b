package dev.rekko.redis.backend;

import dev.rekko.redis.io.SelectorLoop;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One selector thread serving many backend connections: connects, reads and decodes replies, writes
 * what callers could not write directly, and runs the periodic checks (timeouts, pings, reconnects).
 * Callers write to the socket themselves, so only the reply crosses from this thread back to the
 * session (see {@link SelectorLoop} for why plain NIO).
 */
final class BackendIo extends SelectorLoop {
  private static final long TICK_NANOS = 50_000_000L;

  private final List<BackendConnection> connections = new CopyOnWriteArrayList<>();
  private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);

  BackendIo(String name) {
    super(name, TICK_NANOS);
    start();
  }

  /** Scratch buffer for socket reads; the I/O thread copies what it read out of it. */
  ByteBuffer readBuffer() {
    return readBuffer;
  }

  void register(BackendConnection connection) {
    connections.add(connection);
  }

  void unregister(BackendConnection connection) {
    connections.remove(connection);
  }

  @Override
  protected void onReady(SelectionKey key) {
    ((BackendConnection) key.attachment()).onReady(key);
  }

  @Override
  protected void onTick(long nowNanos) {
    for (BackendConnection c : connections) {
      c.onTick(nowNanos);
    }
  }

  @Override
  public void close() {
    for (BackendConnection c : connections) {
      c.close();
    }
    super.close();
  }
}
