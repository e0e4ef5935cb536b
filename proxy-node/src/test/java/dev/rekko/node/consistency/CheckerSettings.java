package dev.rekko.node.consistency;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import redis.clients.jedis.HostAndPort;

/** What {@link ConsistencyChecker.Builder} collected, checked and frozen; also names the keys. */
record CheckerSettings(
    List<HostAndPort> endpoints,
    int clients,
    int counters,
    int registers,
    String keyPrefix,
    int databases,
    Duration pause,
    Duration commandTimeout,
    Duration verifyTimeout,
    String password,
    Predicate<String> inDoubtErrors,
    long seed,
    boolean resetKeys,
    int maxFindings) {

  CheckerSettings {
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one endpoint is needed");
    }
    require(clients >= 1, "clients must be >= 1");
    require(counters >= 0 && registers >= 0 && counters + registers > 0, "need some counters or registers");
    require(databases >= 1, "databases must be >= 1");
    require(!pause.isNegative(), "pause must not be negative");
    require(commandTimeout.toMillis() >= 1, "commandTimeout must be >= 1 ms");
    require(maxFindings >= 0, "maxFindings must be >= 0");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  // The hash tag makes the slot depend on the number only, so keys spread over many slots and a
  // key's slot does not change with the prefix.
  String counterKey(int n) {
    return keyPrefix + ":{" + n + "}:counter";
  }

  String registerKey(int n) {
    return keyPrefix + ":{" + n + "}:register";
  }

  int dbOf(int n) {
    return n % databases;
  }

  /** Registers are owned by one client each, so that their versions are totally ordered. */
  int ownerOf(int register) {
    return register % clients;
  }

  int timeoutMillis() {
    return (int) Math.min(Integer.MAX_VALUE, commandTimeout.toMillis());
  }
}
