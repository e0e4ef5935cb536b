package dev.rekko.redis.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * All backend connections of a node: per server and database a fixed number of pipelined
 * connections, created on first use and shared by every session. A session always picks the same
 * connection of a server (by its affinity), which keeps its own commands to that server in order.
 */
public final class BackendPool implements AutoCloseable {
  private final BackendOptions options;
  private final java.util.function.Function<BackendAddress, BackendTimings> timings;
  /** The pool's own loops, closed with it; empty when it was built to {@link #runOn} others. */
  private final BackendIo[] own;
  /** The loops new connections run on: the pool's own, or those given to {@link #runOn}. */
  private volatile BackendIo[] io;
  /** Started when a connection was needed before {@link #runOn}; closed with the pool. Guarded by this. */
  private BackendIo fallback;
  private final AtomicInteger nextIo = new AtomicInteger();
  private final ConcurrentHashMap<Key, BackendConnection[]> connections = new ConcurrentHashMap<>();
  /** Connections one session owns for a while (a blocked command, a WATCHed transaction). */
  private final java.util.Set<BackendConnection> dedicated = ConcurrentHashMap.newKeySet();
  /** Told first when a server is drained: owners of commands that would hold a drain up (blocked ones). */
  private final java.util.List<java.util.function.Consumer<BackendAddress>> drainListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  private record Key(BackendAddress server, int database, int protocol) {}

  /** A connection's health, for stats and the API. */
  public record Status(String server, int database, int index, boolean up, int inFlight, String lastError) {}

  public BackendPool(BackendOptions options, int ioThreads) {
    this(options, ioThreads, server -> BackendTimings.NONE);
  }

  /**
   * @param ioThreads the pool's own I/O threads; 0: none, {@link #runOn} gives it the loops to use (one
   *     own thread is started should a connection be needed before)
   * @param timings each shared connection's reply times go to {@code timings.apply(server)} (called once
   *     per connection); dedicated connections are not measured: a blocking command's wait is no latency
   */
  public BackendPool(BackendOptions options, int ioThreads,
      java.util.function.Function<BackendAddress, BackendTimings> timings) {
    this.options = options;
    this.timings = timings;
    this.own = new BackendIo[Math.max(0, ioThreads)];
    for (int i = 0; i < own.length; i++) {
      own[i] = BackendIo.started("rekko-backend-io-" + i);
    }
    this.io = own;
  }

  /**
   * Connections opened from now on run on {@code loops} (the node's client I/O threads, which are backend
   * loops too): connection {@code i} of a server on loop {@code i % loops.size()}, and a server has a
   * multiple of {@code loops.size()} connections. A caller that runs on loop {@code k} and asks with an
   * affinity of {@code k} modulo the number of loops gets a connection read on its own thread. The pool
   * does not close these loops: whoever started them does. Call it before the first connection opens.
   */
  public synchronized void runOn(List<? extends BackendIo> loops) {
    if (loops.isEmpty()) {
      throw new IllegalArgumentException("no loops");
    }
    io = loops.toArray(BackendIo[]::new);
  }

  private BackendIo[] loops() {
    BackendIo[] l = io;
    if (l.length > 0) {
      return l;
    }
    synchronized (this) {
      if (io.length == 0) {
        fallback = BackendIo.started("rekko-backend-io-0");
        io = new BackendIo[] {fallback};
      }
      return io;
    }
  }

  public BackendOptions options() {
    return options;
  }

  /** The connection a session with this affinity uses for {@code server} and {@code database}. */
  public BackendConnection connection(BackendAddress server, int database, int affinity) {
    return connection(server, database, 2, affinity);
  }

  /**
   * As {@link #connection(BackendAddress, int, int)}, speaking RESP {@code protocol} (2 or 3): sessions
   * that switched to RESP3 get Redis's own RESP3 replies from connections that did too.
   */
  public BackendConnection connection(BackendAddress server, int database, int protocol, int affinity) {
    Key key = new Key(server, database, protocol);
    BackendConnection[] group = connections.get(key);
    if (group == null) {
      group = connections.computeIfAbsent(key, this::open);
    }
    return group[Math.floorMod(affinity, group.length)];
  }

  /**
   * A new connection that only the caller uses (a blocking command, a WATCHed transaction), until it
   * gives it back with {@link #release}. It is {@link #drain drained} with the shared ones, and closed
   * when its server leaves ({@link #retainOnly}) or the pool closes. It reconnects after a failure like
   * a shared one, but whatever state the caller built on it (WATCH) is then gone: callers treat a
   * failure as the end of that state.
   */
  public BackendConnection dedicated(BackendAddress server, int database, int protocol) {
    BackendIo[] l = loops();
    BackendConnection c = new BackendConnection(l[Math.floorMod(nextIo.getAndIncrement(), l.length)],
        server, database, protocol, options, BackendTimings.NONE);
    dedicated.add(c);
    return c;
  }

  /** Closes a {@link #dedicated} connection; commands still in flight on it fail. */
  public void release(BackendConnection c) {
    if (dedicated.remove(c)) {
      c.close();
    }
  }

  /** The {@link #dedicated} connections open now to {@code server} (for unblocking them at a barrier). */
  public List<BackendConnection> dedicatedTo(BackendAddress server) {
    List<BackendConnection> out = new ArrayList<>();
    for (BackendConnection c : dedicated) {
      if (c.address().equals(server)) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * {@code listener} is told of every {@link #drain} before its {@code PING}s go out: a drain's PING on a
   * dedicated connection waits behind a command blocked there, so whoever blocks commands on them unblocks.
   */
  public void onDrain(java.util.function.Consumer<BackendAddress> listener) {
    drainListeners.add(listener);
  }

  /** Opens the connections to a server ahead of the first command. */
  public void warmUp(BackendAddress server, int database) {
    connection(server, database, 0);
  }

  /**
   * Completes once no command sent so far on any connection to {@code server} (every database) can still
   * run there: a {@code PING} behind them has been answered on each connection, and every earlier
   * connection that failed with commands unanswered is known to be gone from the server (killed with
   * {@code CLIENT KILL} if need be). Fails with a {@link DrainException} (wrapped in a
   * {@code CompletionException}) when that cannot be proven now; ask again later. A migration's barrier
   * uses it to know that nothing sent under an old route can run after the barrier.
   */
  public CompletableFuture<Void> drain(BackendAddress server) {
    for (java.util.function.Consumer<BackendAddress> l : drainListeners) {
      l.accept(server);
    }
    List<CompletableFuture<Void>> drains = new ArrayList<>();
    connections.forEach((key, group) -> {
      if (key.server().equals(server)) {
        for (BackendConnection c : group) {
          drains.add(c.drain());
        }
      }
    });
    for (BackendConnection c : dedicatedTo(server)) {
      drains.add(c.drain());
    }
    return CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new));
  }

  /**
   * Closes and forgets the connections to every server not in {@code servers}: those that left the
   * topology or stopped being a master. Without it they would live on, reconnecting and pinging, for as
   * long as the node runs. A session that asks for one later simply opens it again.
   */
  public void retainOnly(java.util.Set<BackendAddress> servers) {
    connections.entrySet().removeIf(e -> {
      if (!servers.contains(e.getKey().server())) {
        for (BackendConnection c : e.getValue()) {
          c.close();
        }
        return true;
      }
      return false;
    });
    dedicated.removeIf(c -> {
      if (!servers.contains(c.address())) {
        c.close();
        return true;
      }
      return false;
    });
  }

  /**
   * This node's view of a server: up when any of its connections to it is, down when none is, and
   * unknown (empty) when it has no connection to it.
   */
  public Optional<Boolean> up(BackendAddress server) {
    Optional<Boolean> up = Optional.empty();
    for (var e : connections.entrySet()) {
      if (e.getKey().server().equals(server)) {
        for (BackendConnection c : e.getValue()) {
          up = Optional.of(up.orElse(false) || c.isUp());
        }
      }
    }
    return up;
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
    BackendIo[] l = loops();
    int perLoop = (options.connectionsPerServer() + l.length - 1) / l.length;
    BackendConnection[] group = new BackendConnection[perLoop * l.length];
    BackendTimings measure = timings.apply(key.server());
    for (int i = 0; i < group.length; i++) {
      group[i] = new BackendConnection(l[i % l.length], key.server(), key.database(), key.protocol(), options,
          measure);
    }
    return group;
  }

  @Override
  public void close() {
    // Loops given to runOn outlive the pool, so each connection is closed by itself (closing twice, as
    // the pool's own loops then do, is harmless).
    connections.values().forEach(group -> {
      for (BackendConnection c : group) {
        c.close();
      }
    });
    dedicated.forEach(BackendConnection::close);
    for (BackendIo i : own) {
      i.close();
    }
    synchronized (this) {
      if (fallback != null) {
        fallback.close();
      }
    }
    connections.clear();
    dedicated.clear();
  }
}
