package dev.rekko.redis.admin;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.protocol.resp.ReplyDecoder;
import dev.rekko.protocol.resp.RespProtocolException;
import dev.rekko.protocol.resp.RespValue;
import dev.rekko.protocol.resp.RespWriter;
import dev.rekko.redis.tls.BackendTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One blocking RESP connection: a command out, its reply back, on the caller's thread. For admin work and
 * tools (a handful of commands), never for the data path. Plain TCP, or TLS with a {@link BackendTls}.
 * Not thread-safe.
 */
public final class RespSocket implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final ReplyDecoder decoder = new ReplyDecoder();
  private final RespWriter writer = new RespWriter(256);

  /**
   * Connects; {@code readTimeout} bounds each wait for reply bytes.
   *
   * @throws IOException when the server cannot be reached in {@code connectTimeout}
   */
  public RespSocket(String host, int port, Duration connectTimeout, Duration readTimeout) throws IOException {
    this(host, port, connectTimeout, readTimeout, null);
  }

  /**
   * Connects over TLS when {@code tls} is not null (the handshake too must finish in {@code connectTimeout}).
   *
   * @throws IOException when the server cannot be reached, or the TLS handshake fails
   */
  public RespSocket(String host, int port, Duration connectTimeout, Duration readTimeout, BackendTls tls)
      throws IOException {
    int connectMillis = Math.toIntExact(connectTimeout.toMillis());
    socket = tls == null ? new Socket() : tls.connect(host, port, connectMillis);
    try {
      if (tls == null) {
        socket.connect(new InetSocketAddress(host, port), connectMillis);
      }
      socket.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
      socket.setTcpNoDelay(true);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Sends one command and waits for its reply; error replies are returned as values, not thrown. */
  public RespValue call(String... args) throws IOException {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    writer.reset().writeCommand(argv);
    out.write(writer.array(), 0, writer.length());
    out.flush();
    return read();
  }

  private RespValue read() throws IOException {
    try {
      while (true) {
        Reply reply = decoder.next();
        if (reply != null) {
          return reply.value();
        }
        // A fresh array per read: the decoder keeps references to what it was fed.
        byte[] chunk = new byte[8192];
        int n = in.read(chunk);
        if (n < 0) {
          throw new IOException("connection closed by server");
        }
        decoder.feed(chunk, 0, n);
      }
    } catch (RespProtocolException e) {
      throw new IOException("invalid reply: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
