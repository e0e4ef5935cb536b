package dev.rekko.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback ports for tests. */
public final class FreePorts {
  private FreePorts() {}

  public static int port() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * A port from which {@code count} consecutive ports are free now: the demo numbers its nodes' ports
   * from a base, and a lone free port may have a neighbour taken by some connection's local port.
   */
  public static int base(int count) throws IOException {
    while (true) {
      int base = port();
      if (base + count <= 65536 && allFree(base, count)) {
        return base;
      }
    }
  }

  private static boolean allFree(int base, int count) {
    for (int p = base; p < base + count; p++) {
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
        // bindable
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
