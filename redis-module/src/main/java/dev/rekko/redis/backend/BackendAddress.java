package dev.rekko.redis.backend;

/** A backend server's {@code host:port}, the form used in config, topology and error messages. */
public record BackendAddress(String host, int port) {
  public static BackendAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("server address must be host:port, got '" + hostPort + "'");
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("server address must be host:port, got '" + hostPort + "'");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range in '" + hostPort + "'");
    }
    return new BackendAddress(hostPort.substring(0, colon), port);
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
