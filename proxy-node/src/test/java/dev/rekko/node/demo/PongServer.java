package dev.rekko.node.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A RESP port stand-in that answers every command (RESP arrays only) with {@code +PONG}. */
public final class PongServer implements AutoCloseable {
  private final ServerSocket socket;

  private PongServer(ServerSocket socket) {
    this.socket = socket;
  }

  public static PongServer start(int port) throws IOException {
    PongServer server = new PongServer(new ServerSocket(port, 50, InetAddress.getLoopbackAddress()));
    Thread t = new Thread(server::serve, "pong-" + port);
    t.setDaemon(true);
    t.start();
    return server;
  }

  public int port() {
    return socket.getLocalPort();
  }

  public boolean isClosed() {
    return socket.isClosed();
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket s = socket.accept()) {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          for (int i = 0; i < 2 * Integer.parseInt(line.substring(1)); i++) {
            in.readLine();
          }
          out.write("+PONG\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
      } catch (IOException e) {
        // closed, by the client or by close()
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
