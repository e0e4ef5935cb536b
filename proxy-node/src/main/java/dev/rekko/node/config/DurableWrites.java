package dev.rekko.node.config;

import java.time.Duration;

/**
 * {@code rekko.ha.durable-writes} and {@code durable-timeout}: whether a write is answered only once a
 * replica has it, and how long it waits for one. Read and checked at start and handed to the backend
 * connections ({@code BackendOptions.withDurableWrites}), which send one {@code WAIT 1 <timeout>} per
 * connection and round that carried a write.
 *
 * @param enabled a write waits for a replica ({@code WAIT 1}) before it is answered
 * @param timeout how long it waits; past it the write is answered with an error
 */
public record DurableWrites(boolean enabled, Duration timeout) {

  /** The defaults of reference.conf: off, 100 ms. */
  public static DurableWrites defaults() {
    return new DurableWrites(false, Duration.ofMillis(100));
  }
}
