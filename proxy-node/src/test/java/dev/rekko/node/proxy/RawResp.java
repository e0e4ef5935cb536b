package dev.rekko.node.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A raw connection that returns each reply as the exact bytes of its frame, RESP2 or RESP3, for tests
 * that compare Rekko's bytes with Redis's. It only finds where a frame ends (independently of the
 * project's codec); the frame is returned as an ISO-8859-1 string so a failed comparison reads well.
 */
final class RawResp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawResp(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), ProxyFixture.TIMEOUT_MILLIS);
    socket.setSoTimeout(ProxyFixture.TIMEOUT_MILLIS);
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    out = socket.getOutputStream();
  }

  void send(String... args) throws IOException {
    out.write(RespSocket.encode(args));
    out.flush();
  }

  /** Sends a command and returns its reply's frame. */
  String call(String... args) throws IOException {
    send(args);
    return read();
  }

  String read() throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    readValue(frame);
    return frame.toString(StandardCharsets.ISO_8859_1);
  }

  private void readValue(ByteArrayOutputStream frame) throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new IOException("connection closed by the server");
    }
    frame.write(type);
    String line = readLine(frame);
    switch (type) {
      case '$', '=', '!' -> {
        int len = Integer.parseInt(line);
        if (len >= 0) {
          byte[] data = in.readNBytes(len + 2);
          if (data.length != len + 2) {
            throw new IOException("closed in the middle of a bulk");
          }
          frame.writeBytes(data);
        }
      }
      case '*', '~', '>' -> {
        for (int i = 0, n = Integer.parseInt(line); i < n; i++) {
          readValue(frame);
        }
      }
      case '%' -> {
        for (int i = 0, n = Integer.parseInt(line); i < 2 * n; i++) {
          readValue(frame);
        }
      }
      case '|' -> {
        for (int i = 0, n = Integer.parseInt(line); i < 2 * n; i++) {
          readValue(frame);
        }
        readValue(frame);
      }
      case '+', '-', ':', '_', ',', '#', '(' -> { }
      default -> throw new IOException("unexpected type '" + (char) type + "' followed by " + line);
    }
  }

  private String readLine(ByteArrayOutputStream frame) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new IOException("closed in the middle of a line");
      }
      sb.append((char) c);
    }
    if (in.read() != '\n') {
      throw new IOException("a line that does not end with CRLF: " + sb);
    }
    frame.writeBytes(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    frame.writeBytes(new byte[] {'\r', '\n'});
    return sb.toString();
  }

  /**
   * A frame as values: String for simple, bulk and verbatim strings (the latter with their {@code txt:}),
   * Long, Double, Boolean, null for every null, List for arrays, sets and pushes, a LinkedHashMap for
   * maps, {@code "ERR:" + text} for errors.
   */
  static Object parse(String frame) {
    return new Object() {
      int at;

      Object value() {
        char type = frame.charAt(at);
        int end = frame.indexOf("\r\n", at);
        String line = frame.substring(at + 1, end);
        at = end + 2;
        switch (type) {
          case '$', '=', '!' -> {
            int len = Integer.parseInt(line);
            if (len < 0) {
              return null;
            }
            String data = frame.substring(at, at + len);
            at += len + 2;
            return type == '!' ? "ERR:" + data : data;
          }
          case '*', '~', '>' -> {
            int n = Integer.parseInt(line);
            if (n < 0) {
              return null;
            }
            java.util.List<Object> items = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
              items.add(value());
            }
            return items;
          }
          case '%' -> {
            java.util.Map<Object, Object> map = new java.util.LinkedHashMap<>();
            for (int i = 0, n = Integer.parseInt(line); i < n; i++) {
              map.put(value(), value());
            }
            return map;
          }
          case ':' -> {
            return Long.parseLong(line);
          }
          case ',' -> {
            return Double.parseDouble(line);
          }
          case '#' -> {
            return line.equals("t");
          }
          case '_' -> {
            return null;
          }
          case '-' -> {
            return "ERR:" + line;
          }
          default -> {
            return line;
          }
        }
      }
    }.value();
  }

  /** True when the server closed the connection before the socket timeout. */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  void setTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
