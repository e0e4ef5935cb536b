package dev.rekko.redis.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The earlier incarnations of one backend connection that failed with commands unanswered. Those
 * commands may still sit in the server's input buffer (a server that stalled, a network that held them)
 * and run later, whatever our side of the socket did: until the server has closed that connection.
 * Thread-safe.
 */
final class Suspects {
  private final List<ServerClient> clients = new ArrayList<>();
  // A kill under way, shared by the drains that ask meanwhile (a migration of many slots drains often).
  private CompletableFuture<Void> killing;

  synchronized void add(ServerClient client) {
    clients.add(client);
  }

  /** The server answered a CLIENT KILL of {@code client}: it runs nothing any more. */
  synchronized void gone(ServerClient client) {
    clients.remove(client);
  }

  synchronized List<ServerClient> list() {
    return List.copyOf(clients);
  }

  /**
   * Completes once every suspect known now is gone from the server, killing them with {@code kill} (one
   * kill at a time; who asks during one waits for it, then looks again); fails when that cannot be done.
   */
  CompletableFuture<Void> confirmGone(Function<List<ServerClient>, CompletableFuture<Void>> kill) {
    CompletableFuture<Void> running;
    List<ServerClient> now;
    synchronized (this) {
      if (clients.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      running = killing != null && !killing.isDone() ? killing : null;
      now = List.copyOf(clients);
    }
    if (running != null) {
      return running.thenCompose(x -> confirmGone(kill));
    }
    CompletableFuture<Void> started = kill.apply(now).thenRun(() -> {
      synchronized (this) {
        clients.removeAll(now);
      }
    });
    synchronized (this) {
      killing = started;
    }
    return started;
  }
}
