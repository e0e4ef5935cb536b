package dev.rekko.coordinator.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the HTTP API v1.
 *
 * @param token      the admin token that every mutating call must present as {@code Authorization: Bearer
 *                   <token>}; empty = no check (reads are always open)
 * @param askTimeout how long a call waits for the coordinator before answering 503
 */
public record AdminApiSettings(String token, Duration askTimeout) {

  public AdminApiSettings {
    token = token == null ? "" : token;
    Objects.requireNonNull(askTimeout, "askTimeout");
    if (askTimeout.isNegative() || askTimeout.isZero()) {
      throw new IllegalArgumentException("askTimeout must be positive: " + askTimeout);
    }
  }
}
