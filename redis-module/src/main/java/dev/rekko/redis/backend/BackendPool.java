package dev.rekko.redis.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * All backend connections of a node: per server and database a fixed number of pipelined
 * connections, created on first use and shared by every session. A session always picks the same
 * connection of a server (by its affinity), which keeps its own commands to that server in order.
 */
public final class BackendPool implements AutoCloseable {
  private final BackendOptions options;
  private final BackendIo[] io;
  private final AtomicInteger nextIo = new AtomicInteger();
  private final ConcurrentHashMap<Key, BackendConnection[]> connections = new ConcurrentHashMap<>();

  private record Key(BackendAddress server, int database) {}

  /** A connection's health, for stats and the API. */
  public record Status(String server, int database, int index, boolean up, int inFlight, String lastError) {}

  public BackendPool(BackendOptions options, int ioThreads) {
    this.options = options;
    this.io = new BackendIo[Math.max(1, ioThreads)];
    for (int i = 0; i < io.length; i++) {
      io[i] = new BackendIo("rekko-backend-io-" + i);
    }
  }

  public BackendOptions options() {
    return options;
  }

  /** The connection a session with this affinity uses for {@code server} and {@code database}. */
  public BackendConnection connection(BackendAddress server, int database, int affinity) {
    BackendConnection[] group = connections.get(new Key(server, database));
    if (group == null) {
      group = connections.computeIfAbsent(new Key(server, database), this::open);
    }
    return group[Math.floorMod(affinity, group.length)];
  }

  /** Opens the connections to a server ahead of the first command. */
  public void warmUp(BackendAddress server, int database) {
    connection(server, database, 0);
  }

  /**
   * Completes once every command queued so far on any connection to {@code server} (every database) has
   * been answered or failed: a {@code PING} goes behind them on each connection, and replies come back in
   * order. A migration's barrier uses it to know that nothing sent under an old route is still running.
   */
  public java.util.concurrent.CompletableFuture<Void> drain(BackendAddress server) {
    List<java.util.concurrent.CompletableFuture<Void>> pings = new ArrayList<>();
    byte[] ping = "*1\r\n$4\r\nPING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    connections.forEach((key, group) -> {
      if (key.server().equals(server)) {
        for (BackendConnection c : group) {
          java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
          c.send(ping, 0, ping.length, new ReplyHandler() {
            @Override
            public void onReply(dev.rekko.protocol.resp.Reply reply) {
              done.complete(null);
            }

            // A failed connection has failed every command before the PING too: nothing is left running.
            @Override
            public void onFailure(String error) {
              done.complete(null);
            }
          });
          c.flush();
          pings.add(done);
        }
      }
    });
    return java.util.concurrent.CompletableFuture.allOf(pings.toArray(java.util.concurrent.CompletableFuture[]::new));
  }

  /** Closes and forgets the connections to a server that left the topology. */
  public void remove(BackendAddress server) {
    connections.entrySet().removeIf(e -> {
      if (e.getKey().server().equals(server)) {
        for (BackendConnection c : e.getValue()) {
          c.close();
        }
        return true;
      }
      return false;
    });
  }

  public List<Status> status() {
    List<Status> out = new ArrayList<>();
    connections.forEach((key, group) -> {
      for (int i = 0; i < group.length; i++) {
        BackendConnection c = group[i];
        out.add(new Status(key.server().toString(), key.database(), i, c.isUp(), c.inFlight(), c.lastError()));
      }
    });
    out.sort(java.util.Comparator.comparing(Status::server).thenComparingInt(Status::database)
        .thenComparingInt(Status::index));
    return out;
  }

  private BackendConnection[] open(Key key) {
    BackendConnection[] group = new BackendConnection[options.connectionsPerServer()];
    for (int i = 0; i < group.length; i++) {
      group[i] = new BackendConnection(io[Math.floorMod(nextIo.getAndIncrement(), io.length)],
          key.server(), key.database(), options);
    }
    return group;
  }

  @Override
  public void close() {
    for (BackendIo i : io) {
      i.close();
    }
    connections.clear();
  }
}
