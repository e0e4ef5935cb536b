package dev.rekko.redis.health;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Checks a set of backend servers on threads of its own: a PING every {@code checkInterval} (down when not
 * answered within {@code pingTimeout}), and {@code INFO} every {@code infoInterval}. Calls {@code onChange}
 * with the whole view whenever a server goes up or down, changes role or master, or its link changes.
 */
public final class HealthChecker implements AutoCloseable {

  /** How to check; user and password are the backend credentials (empty for none). */
  public record Settings(Duration checkInterval, Duration infoInterval, Duration pingTimeout, String user,
      String password) {}

  public HealthChecker(Settings settings, Consumer<List<ServerHealth>> onChange) {
    throw new UnsupportedOperationException("being written");
  }

  /** The servers to check from now on ({@code host:port}); servers no longer listed are dropped. */
  public void watch(Collection<String> addrs) {
    throw new UnsupportedOperationException("being written");
  }

  /** The current view of every watched server. */
  public List<ServerHealth> snapshot() {
    throw new UnsupportedOperationException("being written");
  }

  @Override
  public void close() {}
}
