package dev.rekko.node.config;

import dev.rekko.coordinator.http.AdminApiSettings;

/**
 * {@code rekko.admin}: the HTTP API, metrics and console listener.
 *
 * @param host                 the address the listener binds
 * @param port                 zero binds a free port
 * @param api                  the API's own settings (coordinator's record): the bearer token mutating
 *                             calls must carry ({@code rekko.admin.token}, empty = none required) and how
 *                             long such a call waits for the coordinator ({@code rekko.admin.request-timeout})
 * @param allowUnauthenticated whether the API may listen beyond loopback without a token: without it such a
 *                             node refuses to start, since anyone who reaches the port could then migrate
 *                             slots or remove servers
 * @param tls                  {@code rekko.admin.tls}: HTTPS, or {@link AdminTls#OFF}
 */
public record AdminSettings(String host, int port, AdminApiSettings api, boolean allowUnauthenticated, AdminTls tls) {

  public AdminSettings(String host, int port, AdminApiSettings api, boolean allowUnauthenticated) {
    this(host, port, api, allowUnauthenticated, AdminTls.OFF);
  }

  public AdminSettings(String host, int port, String token) {
    this(host, port, new AdminApiSettings(token, java.time.Duration.ofSeconds(60)), false);
  }

  public boolean tokenRequired() {
    return !api.token().isEmpty();
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
