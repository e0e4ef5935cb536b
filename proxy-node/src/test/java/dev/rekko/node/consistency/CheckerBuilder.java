package dev.rekko.node.consistency;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import redis.clients.jedis.HostAndPort;

/** Settings of a {@link ConsistencyChecker}; every one has a default except the endpoints. */
public final class CheckerBuilder {
  private List<HostAndPort> endpoints = List.of();
  private int clients = 4;
  private int counters = 1000;
  private int registers = 200;
  private String keyPrefix = "cc";
  private int databases = 1;
  private Duration pause = Duration.ofMillis(1);
  private Duration commandTimeout = Duration.ofSeconds(10);
  private Duration verifyTimeout = Duration.ofSeconds(30);
  private String password = "";
  private Predicate<String> inDoubtErrors = e -> false;
  private long seed = 1;
  private boolean resetKeys = true;
  private int maxFindings = 20;

  CheckerBuilder() {}

  /** Where the clients connect; client i starts at endpoint i and moves on after a failure. */
  public CheckerBuilder endpoints(List<HostAndPort> endpoints) {
    this.endpoints = endpoints;
    return this;
  }

  /** Client threads, each with one connection and one command at a time (default 4). */
  public CheckerBuilder clients(int clients) {
    this.clients = clients;
    return this;
  }

  /** INCR counters, shared by all clients (default 1000). */
  public CheckerBuilder counters(int counters) {
    this.counters = counters;
    return this;
  }

  /** SET/GET registers, register n owned by client {@code n % clients} (default 200). */
  public CheckerBuilder registers(int registers) {
    this.registers = registers;
    return this;
  }

  /** Keys are {@code <prefix>:{n}:counter} and {@code <prefix>:{n}:register} (default "cc"). */
  public CheckerBuilder keyPrefix(String keyPrefix) {
    this.keyPrefix = keyPrefix;
    return this;
  }

  /** Spreads keys over databases 0..n-1 with SELECT, key n in database {@code n % databases}. */
  public CheckerBuilder databases(int databases) {
    this.databases = databases;
    return this;
  }

  /** Pause of each client between commands, to keep the load light (default 1 ms). */
  public CheckerBuilder pause(Duration pause) {
    this.pause = pause;
    return this;
  }

  /** Socket timeout: a command unanswered this long is in doubt (default 10 s). */
  public CheckerBuilder commandTimeout(Duration commandTimeout) {
    this.commandTimeout = commandTimeout;
    return this;
  }

  /** How long a verification keeps retrying keys it cannot read (default 30 s). */
  public CheckerBuilder verifyTimeout(Duration verifyTimeout) {
    this.verifyTimeout = verifyTimeout;
    return this;
  }

  /** AUTH password for the endpoints (default none). */
  public CheckerBuilder password(String password) {
    this.password = password;
    return this;
  }

  /** Error replies whose command may still have run, e.g. {@code e -> e.startsWith("ERR backend ")}. */
  public CheckerBuilder inDoubtErrors(Predicate<String> inDoubtErrors) {
    this.inDoubtErrors = inDoubtErrors;
    return this;
  }

  /** Seeds the clients' choice of keys and commands (default 1). */
  public CheckerBuilder seed(long seed) {
    this.seed = seed;
    return this;
  }

  /** Whether {@code start()} deletes the keys first (default true); if not, they must not exist. */
  public CheckerBuilder resetKeys(boolean resetKeys) {
    this.resetKeys = resetKeys;
    return this;
  }

  /** Findings of each kind kept in detail in reports (default 20); the counts are always complete. */
  public CheckerBuilder maxFindings(int maxFindings) {
    this.maxFindings = maxFindings;
    return this;
  }

  public ConsistencyChecker build() {
    return new ConsistencyChecker(new CheckerSettings(endpoints, clients, counters, registers, keyPrefix,
        databases, pause, commandTimeout, verifyTimeout, password, inDoubtErrors, seed, resetKeys,
        maxFindings));
  }
}
