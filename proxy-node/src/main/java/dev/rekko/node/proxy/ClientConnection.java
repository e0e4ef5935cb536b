package dev.rekko.node.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * The NIO transport of one client connection: its socket channel on a {@link ClientIo} selector
 * thread, which reads into the {@link ClientCore}, writes the core's replies and sets the channel's
 * interest as the core asks. Read interest only changes when the core stops or resumes reading.
 */
final class ClientConnection implements ClientTransport {
  private final ClientIo io;
  private final SocketChannel channel;
  private final ClientCore core;
  private SelectionKey key;
  private int interest;

  ClientConnection(ClientIo io, SocketChannel channel, NodeContext ctx, String remote) {
    this.io = io;
    this.channel = channel;
    this.core = new ClientCore(ctx, remote, localAddress(channel), this, () -> io.wake(this), io::flushLater,
        io::affinity);
  }

  private static String localAddress(SocketChannel channel) {
    try {
      java.net.InetSocketAddress a = (java.net.InetSocketAddress) channel.getLocalAddress();
      return a.getAddress().getHostAddress() + ":" + a.getPort();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** On the I/O thread: registers the channel and starts reading. */
  void start() {
    core.start();
    io.added(this);
    try {
      interest = SelectionKey.OP_READ;
      key = channel.register(io.selector(), interest, this);
    } catch (ClosedChannelException | java.nio.channels.ClosedSelectorException e) {
      // The client left at once, or the node is stopping.
      core.close();
    }
  }

  void onReady(SelectionKey k) {
    if (core.closed() || !k.isValid() || core.closeIfDoomed()) {
      return;
    }
    core.guarded(() -> {
      if (k.isWritable()) {
        core.writable();
      }
      // An idle connection keeps its read interest until it next does something: a pause that began
      // meanwhile (max-memory) must still hold, so the conditions are checked again here.
      if (!core.closed() && k.isReadable() && core.mayRead()) {
        read();
      }
    });
  }

  void onWake() {
    core.onWake();
  }

  void refreshInterest() {
    core.refreshInterest();
  }

  void onTick(long now) {
    core.onTick(now);
  }

  private void read() throws IOException {
    ByteBuffer buf = io.readBuffer();
    buf.clear();
    int n = channel.read(buf);
    if (n < 0) {
      core.inputEnded();
      return;
    }
    if (n == 0) {
      return;
    }
    // The decoder keeps references to its chunks (commands are forwarded as slices of them).
    byte[] chunk = new byte[n];
    buf.flip();
    buf.get(chunk);
    core.received(chunk, 0, n);
  }

  @Override
  public int write(ByteBuffer bytes) throws IOException {
    return channel.write(bytes);
  }

  /** The socket says itself how much it takes. */
  @Override
  public boolean writable() {
    return true;
  }

  @Override
  public long lastWriteNanos() {
    return 0;
  }

  /** Reads only while the session may take more commands; write interest while a write is incomplete. */
  @Override
  public void interest(boolean read, boolean write) {
    int want = (read ? SelectionKey.OP_READ : 0) | (write ? SelectionKey.OP_WRITE : 0);
    if (want != interest && key != null && key.isValid()) {
      interest = want;
      key.interestOps(want);
    }
  }

  /** Closes the connection; on the I/O thread (the node's shutdown too). */
  void close() {
    core.close();
  }

  @Override
  public void close(boolean graceful) {
    if (key != null) {
      key.cancel();
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    io.removed(this);
  }
}
