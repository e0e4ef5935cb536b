package dev.rekko.redis.backend;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.ReplyDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * The socket of one incarnation of a {@link BackendConnection}: a non-blocking TCP connection registered
 * with the I/O thread's selector and, with {@link BackendOptions#tls() TLS}, a {@link TlsLink} over it
 * whose handshake runs right after the TCP connect and before the Redis {@link Handshake} (both within
 * {@code connectTimeout}). Without TLS the plain path stays as it was: the socket is written through the
 * same {@link #wire} field, one null check per read. A failed incarnation's socket is closed and dropped;
 * the next one opens a new socket.
 */
final class BackendSocket {
  /** {@link #progress}: the TCP connect or the TLS handshake still waits for the socket. */
  static final int WAITING = 0;
  /** {@link #progress}: connected (and TLS done) just now; over TLS nothing else is ready in this round. */
  static final int CONNECTED = 1;
  /** {@link #progress}: connected before; the readiness is for reading or writing. */
  static final int OPEN = 2;

  private final SocketChannel channel;
  /** Null without TLS. */
  private final TlsLink tls;
  /** The socket itself, or its TLS channel: what commands are written to. */
  final GatheringByteChannel wire;
  final SelectionKey key;
  /** Replies are decoded per incarnation: a failed one may leave a reply half read. */
  private final ReplyDecoder decoder = new ReplyDecoder();

  private BackendSocket(SocketChannel channel, TlsLink tls, SelectionKey key) {
    this.channel = channel;
    this.tls = tls;
    this.wire = tls == null ? channel : tls.channel();
    this.key = key;
  }

  /** A new socket, registered for connect readiness with {@code attachment}; not connecting yet. */
  static BackendSocket open(BackendIo io, BackendAddress address, BackendOptions options, Object attachment)
      throws IOException {
    SocketChannel ch = SocketChannel.open();
    try {
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      TlsLink link = options.tls() == null ? null : TlsLink.over(ch, options.tls(), address);
      return new BackendSocket(ch, link, ch.register(io.selector(), SelectionKey.OP_CONNECT, attachment));
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Starts the TCP connect; true when it (and the TLS handshake) completed at once. */
  boolean connect(BackendAddress address) throws IOException {
    if (!channel.connect(new InetSocketAddress(address.host(), address.port()))) {
      return false;
    }
    channel.finishConnect();
    return tls == null || tls.handshake(key);
  }

  /** What the selector's readiness means while connecting: {@link #WAITING}, {@link #CONNECTED} or {@link #OPEN}. */
  int progress(SelectionKey k) throws IOException {
    if (tls != null && tls.handshaking()) {
      if (k.isConnectable()) {
        channel.finishConnect();
      }
      return tls.handshake(k) ? CONNECTED : WAITING;
    }
    if (k.isConnectable()) {
      channel.finishConnect();
      return CONNECTED;
    }
    return OPEN;
  }

  boolean tls() {
    return tls != null;
  }

  boolean tlsHandshaking() {
    return tls != null && tls.handshaking();
  }

  /**
   * Reads what the socket has now and decodes the complete replies into {@code into}: {@link BackendIo#CLOSED}
   * when the server closed the connection, else (plain) {@link BackendIo#DRAINED}, or (TLS) what
   * {@link BackendIo#readTlsReplies} says.
   */
  int read(BackendIo io, List<Reply> into) throws IOException {
    if (tls == null) {
      return io.readReplies(channel, decoder, into) ? BackendIo.DRAINED : BackendIo.CLOSED;
    }
    int result = io.readTlsReplies(tls.channel(), decoder, into);
    if (result == BackendIo.NEEDS_WRITE) {
      tls.readWaitsForWrite();
    }
    return result;
  }

  /** True once after a TLS read that had to wait for a write: the caller reads now. */
  boolean takeReadAfterWrite() {
    return tls != null && tls.takeReadAfterWrite();
  }

  /** Deregisters and closes (with TLS a close_notify goes out if the socket takes it at once). */
  void close() {
    key.cancel();
    if (tls != null) {
      tls.close();
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // already broken
    }
  }
}
