package dev.rekko.node.config;

import java.time.Duration;

/** {@code rekko.backend}: how the node talks to the Redis servers of the groups. */
public record BackendSettings(
    /** Password (and, when {@link #user} is set, the ACL user) for every backend server; empty = none. */
    String password,
    String user,
    /** Databases clients may SELECT: 0 .. databases-1. */
    int databases,
    /** Long-lived pipelined connections per backend server and database. */
    int connectionsPerServer,
    Duration connectTimeout,
    /** A command not answered within this time fails and its connection is reset. */
    Duration receiveTimeout,
    Duration reconnectBackoffMin,
    Duration reconnectBackoffMax,
    Duration pingPeriod) {}
