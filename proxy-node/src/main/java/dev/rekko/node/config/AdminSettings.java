package dev.rekko.node.config;

/** {@code rekko.admin}: the HTTP API, metrics and console listener. */
public record AdminSettings(
    String host,
    /** Zero binds a free port. */
    int port,
    /** Bearer token mutating calls must carry; empty = none required. */
    String token,
    /** How long a mutating call waits for the coordinator. */
    java.time.Duration requestTimeout,
    /**
     * Whether the API may listen beyond loopback without a token: without it such a node refuses to
     * start, since anyone who reaches the port could then migrate slots or remove servers.
     */
    boolean allowUnauthenticated) {

  public AdminSettings(String host, int port, String token) {
    this(host, port, token, java.time.Duration.ofSeconds(60), false);
  }

  public boolean tokenRequired() {
    return !token.isEmpty();
  }

  /**
   * Whether {@code host} is a loopback address, decided without a name lookup: {@code localhost}, and
   * literal 127.0.0.0/8 and ::1. Any other name may resolve to a reachable address, and 0.0.0.0 / ::
   * mean every interface.
   */
  public static boolean isLoopback(String host) {
    String h = host.trim().toLowerCase(java.util.Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost")) {
      return true;
    }
    if (h.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (h.contains(":") && h.matches("[0-9a-f:.]+"))) {
      try {
        return java.net.InetAddress.getByName(h).isLoopbackAddress();
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }
    return false;
  }
}
