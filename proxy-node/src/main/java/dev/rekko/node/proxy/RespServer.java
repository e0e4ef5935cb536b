package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client-facing RESP listener: accepts on the first {@link ClientIo} thread and hands each
 * connection to the threads in turn, where a {@link ClientConnection} serves it. The threads stop,
 * closing their connections, when the actor system terminates (as Pekko's connections did).
 */
public final class RespServer implements ClientListener {
  private static final Logger log = LoggerFactory.getLogger(RespServer.class);
  private static final byte[] TOO_MANY = ("-" + Errors.MAX_CLIENTS + "\r\n").getBytes(StandardCharsets.US_ASCII);

  private final ServerSocketChannel server;
  private final InetSocketAddress address;
  private final List<ClientIo> io;
  private final NodeContext ctx;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final boolean protectedMode;
  private int next;
  // Acceptor's thread only.
  private final AcceptBackoff backoff = new AcceptBackoff();
  private SelectionKey acceptKey;

  private RespServer(ServerSocketChannel server, List<ClientIo> io, NodeContext ctx) throws IOException {
    this.server = server;
    this.address = (InetSocketAddress) server.getLocalAddress();
    this.io = io;
    this.ctx = ctx;
    this.protectedMode = ProtectedMode.active(ctx.proxy, address.getAddress());
    if (protectedMode) {
      log.warn("RESP listener {} is reachable from other machines and rekko.proxy.password is empty: protected mode "
          + "refuses clients that are not on loopback (set a password, or rekko.proxy.protected-mode = off)", address);
    }
  }

  /**
   * Binds and starts {@code threads} I/O threads (at least one). Fails when the address cannot be
   * bound; the threads stop when {@code system} terminates.
   */
  public static CompletionStage<RespServer> start(ClassicActorSystemProvider system, NodeContext ctx, int threads) {
    Duration idle = ctx.proxy.idleTimeout();
    Duration tick = idle.isZero() || idle.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : idle;
    ServerSocketChannel server = null;
    List<ClientIo> io = List.of();
    try {
      server = ServerSocketChannel.open();
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(new InetSocketAddress(ctx.proxy.host(), ctx.proxy.port()), 1024);
      server.configureBlocking(false);
      io = ClientIo.startAll(threads, tick.toNanos(), ctx.memory);
      // The sessions' backend connections run on their client threads: a reply is written back
      // in the round that reads it.
      ctx.pool.runOn(io);
      RespServer resp = new RespServer(server, io, ctx);
      ClientIo acceptor = io.get(0);
      ServerSocketChannel s = server;
      CompletableFuture<RespServer> registered = new CompletableFuture<>();
      acceptor.execute(() -> {
        try {
          resp.acceptKey = s.register(acceptor.selector(), SelectionKey.OP_ACCEPT, (Runnable) resp::acceptAll);
          registered.complete(resp);
        } catch (IOException e) {
          registered.completeExceptionally(e);
        }
      });
      system.classicSystem().registerOnTermination(resp::close);
      return registered;
    } catch (IOException | RuntimeException e) {
      io.forEach(ClientIo::close);
      if (server != null) {
        try {
          server.close();
        } catch (IOException ignored) {
          // failing anyway
        }
      }
      return CompletableFuture.failedFuture(new IOException(
          "Bind failed because of " + e.getMessage() + " (" + ctx.proxy.host() + ":" + ctx.proxy.port() + ")", e));
    }
  }

  /** On the acceptor's thread. */
  private void acceptAll() {
    for (int i = 0; i < 64; i++) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException e) {
        pauseAccepting(e);
        return;
      }
      if (ch == null) {
        return;
      }
      long failed = backoff.accepted();
      if (failed > 0) {
        log.info("accepting client connections again, after {} failed attempt(s)", failed);
      }
      accept(ch);
    }
  }

  /** Out of file descriptors, most likely: stop accepting for a while instead of spinning on it. */
  private void pauseAccepting(IOException e) {
    AcceptBackoff.Pause p = backoff.failed(System.nanoTime());
    if (p.log()) {
      log.warn("accepting a client connection failed: {}; accepting paused for {} ms, and again with longer pauses "
          + "while it keeps failing (logged once per burst{})", e.getMessage(), p.nanos() / 1_000_000,
          p.unlogged() > 0 ? "; " + p.unlogged() + " failed attempts not logged since the last such line" : "");
    }
    SelectionKey k = acceptKey;
    if (k == null || !k.isValid()) {
      return;
    }
    k.interestOps(0);
    io.get(0).later(p.nanos(), () -> {
      if (k.isValid()) {
        k.interestOps(SelectionKey.OP_ACCEPT);
      }
    });
  }

  private void accept(SocketChannel ch) {
    InetAddress from;
    String addr;
    try {
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      if (ctx.proxy.tcpKeepAlive()) {
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      }
      InetSocketAddress remote = (InetSocketAddress) ch.getRemoteAddress();
      from = remote.getAddress();
      addr = from.getHostAddress() + ":" + remote.getPort();
    } catch (IOException e) {
      closeQuietly(ch);
      return;
    }
    if (ctx.clients.incrementAndGet() > ctx.proxy.maxClients()) {
      ctx.clients.decrementAndGet();
      // Like Redis: tell the client why, then close. The socket's empty buffer takes these few bytes.
      try {
        ch.write(ByteBuffer.wrap(TOO_MANY));
      } catch (IOException ignored) {
        // closing anyway
      }
      closeQuietly(ch);
      return;
    }
    if (ProtectedMode.refuses(protectedMode, from)) {
      ctx.clients.decrementAndGet();
      try {
        ch.write(ByteBuffer.wrap(ProtectedMode.DENIED));
      } catch (IOException ignored) {
        // closing anyway
      }
      closeQuietly(ch);
      return;
    }
    ClientIo target = io.get(Math.floorMod(next++, io.size()));
    ClientConnection c = new ClientConnection(target, ch, ctx, addr);
    target.execute(c::start);
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  /** Stops accepting; connections already open go on until the system terminates. */
  @Override
  public CompletionStage<?> stop() {
    if (closed.get()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    ClientIo acceptor = io.get(0);
    acceptor.execute(() -> {
      try {
        server.close();
        // The port is free only once the selector has dropped the channel's cancelled key.
        acceptor.selector().selectNow();
      } catch (IOException ignored) {
        // unbound anyway
      }
      done.complete(null);
    });
    return done;
  }

  /** An I/O thread that stopped although the server was not closed ended by an Error: its clients are gone. */
  @Override
  public Optional<String> broken() {
    if (closed.get()) {
      return Optional.empty();
    }
    long dead = io.stream().filter(ClientIo::stopped).count();
    return dead == 0 ? Optional.empty() : Optional.of(dead + " of the " + io.size()
        + " RESP I/O threads stopped after a fatal error (see the node's log)");
  }

  /** Stops accepting and closes every connection. */
  void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        server.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      io.forEach(ClientIo::close);
    }
  }
}
