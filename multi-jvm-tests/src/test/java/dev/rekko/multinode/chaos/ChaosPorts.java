package dev.rekko.multinode.chaos;

import dev.rekko.node.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for the chaos clusters, below the kernel's ephemeral range and away from the
 * demo's default ports. A node JVM binds its ports 10–40 s after they were chosen on two busy cores,
 * and in that time any outgoing connection on the machine may take an ephemeral port as its local
 * port (a node then failed with "Address already in use"). proxy-node's {@link FreePorts} means to do
 * the same, but reads {@code ip_local_port_range} with {@code Files.readAllBytes}, which gets "3" from
 * procfs here, and so hands out ephemeral ports; this reads it by lines. Each port is handed out once
 * per JVM; when the range is unknown, {@link FreePorts} decides.
 */
final class ChaosPorts {
  private static final int LOWEST = 10_000;
  /** The demo's and the benchmarks' defaults (RESP 19000+, HTTP 11080+). */
  private static final List<int[]> AVOID = List.of(new int[] {11_000, 11_200}, new int[] {19_000, 19_200});
  private static final Set<Integer> GIVEN = new HashSet<>();

  private ChaosPorts() {}

  static synchronized int port() throws IOException {
    int below = ephemeralLow();
    for (int i = 0; below > LOWEST + 1_000 && i < 1_000; i++) {
      int p = LOWEST + ThreadLocalRandom.current().nextInt(below - LOWEST);
      if (!GIVEN.contains(p) && AVOID.stream().noneMatch(r -> p >= r[0] && p < r[1]) && free(p)) {
        GIVEN.add(p);
        return p;
      }
    }
    return FreePorts.port();
  }

  /** The first port of the kernel's ephemeral range, or 0 when unknown. */
  private static int ephemeralLow() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
      return Integer.parseInt(lines.get(0).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static boolean free(int p) {
    try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
