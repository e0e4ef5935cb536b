package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/** The client-facing RESP listener: one {@link SessionStage} per accepted connection. */
public final class RespServer {
  private static final ByteString TOO_MANY =
      ByteString.fromArrayUnsafe(("-" + Errors.MAX_CLIENTS + "\r\n").getBytes(StandardCharsets.US_ASCII));

  private final Tcp.ServerBinding binding;

  private RespServer(Tcp.ServerBinding binding) {
    this.binding = binding;
  }

  public static CompletionStage<RespServer> start(ClassicActorSystemProvider system, NodeContext ctx) {
    Materializer mat = Materializer.matFromSystem(system);
    List<Inet.SocketOption> options = ctx.proxy.tcpKeepAlive() ? List.of(TcpSO.keepAlive(true)) : List.of();
    return Tcp.get(system)
        .bind(ctx.proxy.host(), ctx.proxy.port(), 1024, options, false, Optional.empty())
        .to(Sink.foreach(connection -> accept(connection, ctx, mat)))
        .run(mat)
        .thenApply(RespServer::new);
  }

  private static void accept(Tcp.IncomingConnection connection, NodeContext ctx, Materializer mat) {
    if (ctx.clients.incrementAndGet() > ctx.proxy.maxClients()) {
      ctx.clients.decrementAndGet();
      // Like Redis: tell the client why, then close.
      connection.handleWith(Flow.fromSinkAndSourceCoupled(Sink.ignore(), Source.single(TOO_MANY)), mat);
      return;
    }
    InetSocketAddress remote = connection.remoteAddress();
    String addr = remote.getAddress().getHostAddress() + ":" + remote.getPort();
    try {
      connection.handleWith(Flow.fromGraph(new SessionStage(ctx, addr)), mat);
    } catch (RuntimeException e) {
      ctx.clients.decrementAndGet();
      throw e;
    }
  }

  public InetSocketAddress address() {
    return binding.localAddress();
  }

  public int port() {
    return binding.localAddress().getPort();
  }

  public CompletionStage<?> stop() {
    return binding.unbind();
  }
}
