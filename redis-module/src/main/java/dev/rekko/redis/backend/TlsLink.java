package dev.rekko.redis.backend;

import dev.rekko.redis.tls.BackendTls;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import tlschannel.ClientTlsChannel;
import tlschannel.NeedsReadException;
import tlschannel.NeedsWriteException;
import tlschannel.TlsChannel;

/**
 * The TLS layer of one incarnation of a {@link BackendConnection} ({@code rekko.backend.tls}): a
 * {@code tls-channel} {@link TlsChannel} over the non-blocking socket. The TLS handshake runs on the I/O
 * thread right after the TCP connect, driven by the selector ({@link #handshake}); only once it is done
 * does the connection send its Redis {@link Handshake}, so AUTH never leaves before the server is known
 * to be the one the CA vouches for. Afterwards reads and writes go through {@link #channel()}: reads on
 * the I/O thread, writes on any thread under the connection's lock (the TLS channel locks its two
 * directions apart, so the two do not wait for each other).
 */
final class TlsLink {
  private final TlsChannel channel;
  // I/O thread only.
  private boolean handshaking = true;
  private boolean readWaitsForWrite;

  private TlsLink(TlsChannel channel) {
    this.channel = channel;
  }

  /**
   * The connection keeps its encrypted buffers (about 17 KiB each way) rather than freeing them whenever
   * they run empty, which would allocate two buffers per busy round: memory for speed, as the plain path.
   */
  static TlsLink over(SocketChannel socket, BackendTls tls, BackendAddress address) {
    return new TlsLink(ClientTlsChannel.newBuilder(socket, tls.engine(address.host(), address.port()))
        .withReleaseBuffers(false)
        .build());
  }

  TlsChannel channel() {
    return channel;
  }

  boolean handshaking() {
    return handshaking;
  }

  /**
   * One step of the TLS handshake once the socket is ready: true when it is done (the caller then sets its
   * own interest), else the key waits for what the handshake needs next.
   *
   * @throws IOException the handshake failed; an {@code SSLException} names why (an untrusted certificate)
   */
  boolean handshake(SelectionKey key) throws IOException {
    try {
      channel.handshake();
    } catch (NeedsReadException e) {
      key.interestOps(SelectionKey.OP_READ);
      return false;
    } catch (NeedsWriteException e) {
      key.interestOps(SelectionKey.OP_WRITE);
      return false;
    }
    handshaking = false;
    return true;
  }

  /** A read stopped because TLS had to write first: the next write readiness must read again. */
  void readWaitsForWrite() {
    readWaitsForWrite = true;
  }

  /** True once, after {@link #readWaitsForWrite}: the caller reads now. */
  boolean takeReadAfterWrite() {
    boolean r = readWaitsForWrite;
    readWaitsForWrite = false;
    return r;
  }

  /** Closes the TLS channel and its socket (a close_notify goes out if the socket takes it at once). */
  void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // already broken
    }
  }
}
