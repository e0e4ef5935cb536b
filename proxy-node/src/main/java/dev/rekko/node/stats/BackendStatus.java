package dev.rekko.node.stats;

/**
 * One backend server as the data path sees it, per database index in use.
 *
 * @param server "host:port"
 * @param inFlight commands sent and not yet answered
 * @param lastError the latest connection or protocol error, empty when none
 */
public record BackendStatus(String server, int database, boolean up, long inFlight, String lastError) {}
