package dev.rekko.node.config;

import java.time.Duration;

/** {@code rekko.proxy}: the client-facing RESP listener and its sessions. */
public record ProxySettings(
    String host,
    int port,
    /** Client password required by AUTH; empty = none. */
    String password,
    int maxClients,
    /** Commands a session may have in flight before the node stops reading from it. */
    int maxPipeline,
    /** Zero = never close idle sessions. */
    Duration idleTimeout,
    boolean tcpKeepAlive,
    /** Refuse clients from other machines while the listener is not on loopback and no password is set. */
    boolean protectedMode,
    /** Output and query buffer limits and the node's budget for client memory. */
    ClientLimits limits,
    /** What carries client connections: NIO selector threads, or one Pekko Streams pipeline each. */
    Transport transport,
    /** Client I/O threads of the NIO transport, resolved ({@code rekko.proxy.io-threads}; 0 there = half the cores). */
    int ioThreads) {

  /** {@code rekko.proxy.transport}. */
  public enum Transport {
    /** Plain NIO selector threads ({@code RespServer}). */
    NIO,
    /** One Pekko Streams TCP pipeline per client ({@code StreamsServer}). */
    STREAMS
  }

  /** The NIO transport. */
  public ProxySettings(String host, int port, String password, int maxClients, int maxPipeline,
      Duration idleTimeout, boolean tcpKeepAlive, boolean protectedMode, ClientLimits limits) {
    this(host, port, password, maxClients, maxPipeline, idleTimeout, tcpKeepAlive, protectedMode, limits,
        Transport.NIO, autoIoThreads());
  }

  /**
   * Half the cores, at least one: the other half is left to the node's actors (cluster, migration), and
   * on a small machine to Redis and the OS (see {@code rekko.proxy.io-threads} for the measurement).
   */
  public static int autoIoThreads() {
    return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  /** The defaults for everything the arguments do not name (tests and tools). */
  public ProxySettings(String host, int port, String password, int maxClients, int maxPipeline,
      Duration idleTimeout, boolean tcpKeepAlive) {
    this(host, port, password, maxClients, maxPipeline, idleTimeout, tcpKeepAlive, true, ClientLimits.defaults());
  }
}
