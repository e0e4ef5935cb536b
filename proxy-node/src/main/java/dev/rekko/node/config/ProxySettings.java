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
    boolean tcpKeepAlive) {}
