package dev.rekko.coordinator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for a Redis too old for Rekko (no such binary ships with the build): on 127.0.0.1, it answers
 * INFO with {@code redis_version:5.0.7} as a master and every other command with {@code +OK}.
 */
final class FakeOldRedis implements AutoCloseable {
  static final String VERSION = "5.0.7";

  private final ServerSocket server;
  private final Thread acceptor;

  FakeOldRedis() throws IOException {
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::serve, "fake-old-redis");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        List<String> command;
        while ((command = read(in)) != null) {
          String reply = command.get(0).equalsIgnoreCase("INFO")
              ? bulk("# Server\r\nredis_version:" + VERSION + "\r\n# Replication\r\nrole:master\r\n"
                  + "master_repl_offset:0\r\n")
              : "+OK\r\n";
          out.write(reply.getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      } catch (IOException e) {
        // closed by the test or by the client: accept the next one, or stop when the socket is closed
      }
    }
  }

  /** One multibulk command, or null at the end of input. */
  private static List<String> read(BufferedReader in) throws IOException {
    String header = in.readLine();
    if (header == null || !header.startsWith("*")) {
      return null;
    }
    int n = Integer.parseInt(header.substring(1));
    List<String> args = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      in.readLine();
      args.add(in.readLine());
    }
    return args;
  }

  private static String bulk(String s) {
    return "$" + s.getBytes(StandardCharsets.UTF_8).length + "\r\n" + s + "\r\n";
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
