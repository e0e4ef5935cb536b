package dev.rekko.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for tests, taken below the kernel's ephemeral range when it is known: a port
 * from that range that is free now may become some outgoing connection's local port before the test
 * binds it (a three-node fixture opens hundreds of connections between choosing its ports and binding
 * the last one). A port is handed out once per JVM.
 */
public final class FreePorts {
  private static final int LOWEST = 10_000;
  private static final Set<Integer> GIVEN = new HashSet<>();

  private FreePorts() {}

  public static synchronized int port() throws IOException {
    int below = ephemeralLow();
    for (int i = 0; below > LOWEST + 1_000 && i < 1_000; i++) {
      int p = LOWEST + ThreadLocalRandom.current().nextInt(below - LOWEST);
      if (!GIVEN.contains(p) && free(p)) {
        GIVEN.add(p);
        return p;
      }
    }
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      GIVEN.add(s.getLocalPort());
      return s.getLocalPort();
    }
  }

  /**
   * A port from which {@code count} consecutive ports are free now: the demo numbers its nodes' ports
   * from a base.
   */
  public static synchronized int base(int count) throws IOException {
    while (true) {
      int base = port();
      if (base + count <= 65536 && allFree(base, count)) {
        for (int p = base; p < base + count; p++) {
          GIVEN.add(p);
        }
        return base;
      }
    }
  }

  /** The first port of the kernel's ephemeral range, or 65536 when unknown. */
  private static int ephemeralLow() {
    try {
      // Not Files.readString: on JDK 17 it reads this procfs file (size 0) as "3" here, not "32768\t60999".
      String range = String.join(" ", Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))).trim();
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 65536;
    }
  }

  private static boolean allFree(int base, int count) {
    for (int p = base; p < base + count; p++) {
      if ((p != base && GIVEN.contains(p)) || !free(p)) {
        return false;
      }
    }
    return true;
  }

  private static boolean free(int p) {
    try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
