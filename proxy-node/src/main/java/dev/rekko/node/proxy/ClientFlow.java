package dev.rekko.node.proxy;

import dev.rekko.protocol.Errors;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * One client connection as a Pekko Streams flow: request bytes in, reply bytes out, served by the same
 * session core as the NIO transport ({@link ClientCore}, hosted by {@link ClientStage}). Each
 * materialization is one client. A TLS listener wraps it in Pekko's TLS stage.
 */
public final class ClientFlow {
  private static final ByteString TOO_MANY = ByteString.fromString("-" + Errors.MAX_CLIENTS + "\r\n",
      StandardCharsets.US_ASCII);
  private static final ByteString DENIED = ByteString.fromArrayUnsafe(ProtectedMode.DENIED);

  private ClientFlow() {
  }

  /**
   * A flow serving one client. The caller has counted the client in the node's clients
   * ({@code max-clients}, see {@link #admit}); the flow gives the count back when it stops.
   *
   * @param remote the client's address as {@code host:port}, as CLIENT LIST shows it
   * @param local  the listener's address as {@code host:port} ({@code laddr})
   */
  public static Flow<ByteString, ByteString, NotUsed> create(NodeContext ctx, String remote, String local) {
    return Flow.fromGraph(new ClientStage(ctx, remote, local));
  }

  /**
   * The flow for a client that just connected, as the NIO listener decides it: refused with Redis's
   * {@code max number of clients reached} beyond {@code max-clients}, refused by protected mode (when
   * {@code protectedMode}, see {@link ProtectedMode}) from another machine, else served ({@link #create}).
   */
  public static Flow<ByteString, ByteString, NotUsed> admit(NodeContext ctx, InetSocketAddress remote,
      InetSocketAddress local, boolean protectedMode) {
    if (ctx.clients.incrementAndGet() > ctx.proxy.maxClients()) {
      ctx.clients.decrementAndGet();
      return refuse(TOO_MANY);
    }
    if (ProtectedMode.refuses(protectedMode, remote.getAddress())) {
      ctx.clients.decrementAndGet();
      return refuse(DENIED);
    }
    return create(ctx, address(remote), address(local));
  }

  /** Whether protected mode applies to a listener on {@code address} (see {@link ProtectedMode#active}). */
  public static boolean protectedMode(NodeContext ctx, InetSocketAddress address) {
    return ProtectedMode.active(ctx.proxy, address.getAddress());
  }

  /** Like Redis: tell the client why, then close, reading nothing it sent. */
  private static Flow<ByteString, ByteString, NotUsed> refuse(ByteString why) {
    return Flow.fromSinkAndSource(Sink.cancelled(), Source.single(why));
  }

  static String address(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  /** Once per node: when reading may resume (max-memory), every session is woken and pulls again. */
  static void resumeOnce(NodeContext ctx) {
    if (ctx.streamsResume.compareAndSet(false, true)) {
      ctx.memory.onResume(() -> ctx.sessions.forEach(Session::signal));
    }
  }
}
