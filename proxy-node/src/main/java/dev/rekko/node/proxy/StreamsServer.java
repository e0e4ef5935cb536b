package dev.rekko.node.proxy;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client-facing RESP listener of the Streams transport ({@code rekko.proxy.transport = streams}):
 * Pekko's {@code Tcp.bind}, each accepted connection served by its own {@link ClientFlow} pipeline, or
 * refused as {@link RespServer} refuses it (max-clients, protected mode). The TCP connection actors and
 * the stages run on Pekko's default dispatcher, sized to the cores (PEKKO-NOTES' dispatcher recipe, set
 * in pekko-defaults.conf and {@code rekko.dispatcher.parallelism}); connections close when the actor
 * system terminates.
 */
final class StreamsServer implements ClientListener {
  private static final Logger log = LoggerFactory.getLogger(StreamsServer.class);

  private final Tcp.ServerBinding binding;

  private StreamsServer(Tcp.ServerBinding binding) {
    this.binding = binding;
  }

  /** Binds; fails as {@link RespServer#start} does when the address cannot be bound. */
  static CompletionStage<ClientListener> start(ClassicActorSystemProvider system, NodeContext ctx) {
    List<Inet.SocketOption> options = ctx.proxy.tcpKeepAlive()
        ? List.of(TcpSO.tcpNoDelay(true), TcpSO.keepAlive(true))
        : List.of(TcpSO.tcpNoDelay(true));
    InetSocketAddress at = new InetSocketAddress(ctx.proxy.host(), ctx.proxy.port());
    boolean protectedMode = !at.isUnresolved() && ClientFlow.protectedMode(ctx, at);
    // Half-close: a client that shuts its side down after its last command still gets its replies.
    CompletionStage<Tcp.ServerBinding> bound = Tcp.get(system).bind(ctx.proxy.host(), ctx.proxy.port(), 1024,
            options, true, Optional.empty())
        .to(Sink.foreach(c -> c.handleWith(ClientFlow.admit(ctx, c.remoteAddress(), c.localAddress(),
            protectedMode), system)))
        .run(system);
    return bound.<ClientListener>thenApply(b -> {
      if (protectedMode) {
        log.warn("RESP listener {} is reachable from other machines and rekko.proxy.password is empty: protected "
            + "mode refuses clients that are not on loopback (set a password, or rekko.proxy.protected-mode = off)",
            b.localAddress());
      }
      log.info("RESP listener {} on the Streams transport (rekko.proxy.transport = streams)", b.localAddress());
      return new StreamsServer(b);
    }).exceptionallyCompose(e -> CompletableFuture.failedFuture(new java.io.IOException("Bind failed because of "
        + rootMessage(e) + " (" + ctx.proxy.host() + ":" + ctx.proxy.port() + ")", e)));
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  @Override
  public InetSocketAddress address() {
    return binding.localAddress();
  }

  @Override
  public CompletionStage<?> stop() {
    return binding.unbind();
  }
}
