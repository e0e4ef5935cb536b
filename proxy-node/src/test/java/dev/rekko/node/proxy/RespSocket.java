package dev.rekko.node.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw RESP2 connection for tests that need exact bytes on the wire: malformed input, huge pipelines
 * in one write, closing mid-pipeline. Deliberately independent of the project's own codec, so a bug
 * there cannot hide in the test. Every read is bounded by the socket timeout.
 */
final class RespSocket implements AutoCloseable {
  /** An error reply, returned rather than thrown so tests can assert on its text. */
  record Err(String message) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RespSocket(int port, int timeoutMillis) throws IOException {
    this(port, timeoutMillis, 0);
  }

  /**
   * With a receive buffer of {@code receiveBuffer} bytes (0: the system's), set before connecting so
   * that TCP's window follows it: a client that does not read then stops taking replies early.
   */
  RespSocket(int port, int timeoutMillis, int receiveBuffer) throws IOException {
    this("127.0.0.1", port, timeoutMillis, receiveBuffer);
  }

  RespSocket(String host, int port, int timeoutMillis, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new InetSocketAddress(host, port), timeoutMillis);
    socket.setSoTimeout(timeoutMillis);
    socket.setTcpNoDelay(true);
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    out = socket.getOutputStream();
  }

  static byte[] encode(String... args) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(16 + 16 * args.length);
    appendCommand(buf, args);
    return buf.toByteArray();
  }

  static void appendCommand(ByteArrayOutputStream buf, String... args) {
    buf.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (String a : args) {
      byte[] b = a.getBytes(StandardCharsets.UTF_8);
      buf.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      buf.writeBytes(b);
      buf.writeBytes(new byte[] {'\r', '\n'});
    }
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void writeRaw(String text) throws IOException {
    write(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  void send(String... args) throws IOException {
    write(encode(args));
  }

  Object call(String... args) throws IOException {
    send(args);
    return read();
  }

  /**
   * The next reply: String for simple and bulk strings, Long for integers, List for arrays, null for
   * nil, {@link Err} for errors.
   */
  Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new IOException("connection closed by the server");
    }
    String line = readLine();
    return switch (type) {
      case '+' -> line;
      case '-' -> new Err(line);
      case ':' -> Long.parseLong(line);
      case '$' -> {
        int len = Integer.parseInt(line);
        if (len < 0) {
          yield null;
        }
        byte[] data = in.readNBytes(len + 2);
        if (data.length != len + 2) {
          throw new IOException("connection closed in the middle of a bulk string");
        }
        yield new String(data, 0, len, StandardCharsets.UTF_8);
      }
      case '*' -> {
        int n = Integer.parseInt(line);
        if (n < 0) {
          yield null;
        }
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          items.add(read());
        }
        yield items;
      }
      default -> throw new IOException("unexpected reply type '" + (char) type + "' followed by " + line);
    };
  }

  /**
   * True when the server closed the connection: the next read sees end-of-stream (or a reset) before
   * the socket timeout. False when it is still open and silent. Fails if more data arrives.
   */
  boolean closedByServer() throws IOException {
    try {
      int b = in.read();
      if (b >= 0) {
        throw new IOException("expected the connection to close, got more data starting with '" + (char) b + "'");
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      // "Connection reset": the server closed while our unread input or its output was in flight.
      return true;
    }
  }

  /**
   * Reads and discards until the server closes the connection (true) or nothing arrives for the
   * socket timeout (false); {@code counted[0]} gets the bytes read.
   */
  boolean drainUntilClosed(long[] counted) throws IOException {
    byte[] buf = new byte[64 * 1024];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        counted[0] += n;
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  /** Sends end-of-stream (a half-close): nothing more will be written, replies may still be read. */
  void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  void setTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new IOException("connection closed by the server in the middle of a line");
      }
      sb.append((char) c);
    }
    if (in.read() != '\n') {
      throw new IOException("a line that does not end with CRLF: " + sb);
    }
    return sb.toString();
  }

  /** Closes at once, discarding whatever is unread: the RST a crashed or impatient client causes. */
  void abort() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
