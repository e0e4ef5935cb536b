package dev.rekko.node.consistency;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** Opens the checker's Jedis connections, round-robin over the endpoints. */
final class Connector {
  private final CheckerSettings settings;

  Connector(CheckerSettings settings) {
    this.settings = settings;
  }

  int endpointCount() {
    return settings.endpoints().size();
  }

  HostAndPort endpoint(int index) {
    return settings.endpoints().get(Math.floorMod(index, endpointCount()));
  }

  /**
   * A connected Jedis on database 0. Throws {@code JedisConnectionException} when the connection
   * cannot be made; no data command has been sent at that point, so nothing is in doubt.
   */
  Jedis open(int index) {
    DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
        // RESP2 without HELLO: every command on the connection is one the checker sent itself.
        .autoNegotiateProtocol(false)
        .timeoutMillis(settings.timeoutMillis());
    if (!settings.password().isEmpty()) {
      b.password(settings.password());
    }
    Jedis jedis = new Jedis(endpoint(index), b.build());
    try {
      jedis.connect();
      return jedis;
    } catch (RuntimeException e) {
      jedis.close();
      throw e;
    }
  }

  static String name(HostAndPort hp) {
    return hp.getHost() + ":" + hp.getPort();
  }
}
