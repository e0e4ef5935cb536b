package dev.rekko.node.proxy;

import dev.rekko.node.config.ClientTls;
import dev.rekko.node.config.NodeConfigException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.IgnoreCancel$;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.TLSProtocol.SendBytes;
import org.apache.pekko.stream.TLSProtocol.SessionBytes;
import org.apache.pekko.stream.TLSProtocol.SslTlsInbound;
import org.apache.pekko.stream.TLSProtocol.SslTlsOutbound;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.TLS;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client TLS listener ({@code rekko.proxy.tls}): a Pekko Streams TCP listener whose every connection
 * runs Pekko's TLS stage in front of a client flow, the same session core the plain port serves
 * ({@link ClientFlow}), whatever transport that port uses. Certificates come from a
 * {@link ServerTlsContext}, checked for changes on disk every second. A failed handshake (no or a bad
 * client certificate when one is required, a client that does not trust the node) closes that connection
 * only, with one WARN line naming the client and the reason, and is counted. Clients of both ports count
 * against one {@code max-clients}. No half-close, unlike the plain Streams port: a TLS session whose
 * client closed its side ends (the TLS stage completes both directions), as Redis's TLS connections do.
 */
public final class TlsServer {
  private static final Logger log = LoggerFactory.getLogger(TlsServer.class);
  /** How long a closed session's connection may wait for the client's close_notify before it is cut. */
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
  private static final Duration CHECK_FILES = Duration.ofSeconds(1);

  /**
   * Makes the flow for one client that just connected: {@link ClientFlow#admit}, which counts it against
   * {@code max-clients} (the flow gives the count back) or refuses it as the plain port does.
   */
  @FunctionalInterface
  public interface ClientFlows {
    Flow<ByteString, ByteString, NotUsed> admit(NodeContext ctx, InetSocketAddress remote, InetSocketAddress local,
        boolean protectedMode);
  }

  private final ActorSystem system;
  private final NodeContext ctx;
  private final ServerTlsContext tls;
  private final ClientFlows flows;
  private final boolean protectedMode;
  private final LongAdder handshakeFailures = new LongAdder();
  private volatile Tcp.ServerBinding binding;
  private volatile Cancellable checks;

  private TlsServer(ActorSystem system, NodeContext ctx, ServerTlsContext tls, ClientFlows flows, boolean protectedMode) {
    this.system = system;
    this.ctx = ctx;
    this.tls = tls;
    this.flows = flows;
    this.protectedMode = protectedMode;
  }

  /**
   * Reads the certificate files and binds {@code rekko.proxy.host} on {@code settings.port()}; the stage
   * fails when the port cannot be bound.
   *
   * @throws NodeConfigException when the files do not make a server context (unreadable PEM, a key that
   *     is not the certificate's)
   */
  public static CompletionStage<TlsServer> start(ClassicActorSystemProvider provider, NodeContext ctx,
      ClientTls settings, ClientFlows flows) {
    ActorSystem system = provider.classicSystem();
    ServerTlsContext tls;
    try {
      tls = new ServerTlsContext(settings);
    } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
      // Files that exist (NodeConfig checked) but do not make a context: a settings error, named so.
      throw new NodeConfigException(List.of("rekko.proxy.tls: " + e.getMessage()), e);
    }
    String host = ctx.proxy.host();
    InetSocketAddress at = new InetSocketAddress(host, settings.port());
    boolean protectedMode = !at.isUnresolved() && ClientFlow.protectedMode(ctx, at);
    TlsServer server = new TlsServer(system, ctx, tls, flows, protectedMode);
    List<Inet.SocketOption> options = List.of(TcpSO.tcpNoDelay(true), TcpSO.keepAlive(ctx.proxy.tcpKeepAlive()));
    CompletableFuture<TlsServer> started = new CompletableFuture<>();
    Tcp.get(system).bind(host, settings.port(), 1024, options, false, Optional.empty())
        .toMat(Sink.foreach(server::accept), Keep.left())
        .run(system)
        .whenComplete((b, e) -> {
          if (e != null) {
            started.completeExceptionally(new IOException("TLS listener cannot bind " + host + ":" + settings.port()
                + ": " + e.getMessage(), e));
            return;
          }
          server.binding = b;
          server.checks = system.scheduler().scheduleWithFixedDelay(CHECK_FILES, CHECK_FILES, tls::check,
              system.dispatcher());
          if (protectedMode) {
            log.warn("TLS listener {} is reachable from other machines and rekko.proxy.password is empty: protected "
                + "mode refuses clients that are not on loopback", b.localAddress());
          }
          log.info("TLS listener on {} (client certificates: {})", b.localAddress(),
              settings.clientAuth().name().toLowerCase(java.util.Locale.ROOT));
          started.complete(server);
        });
    return started;
  }

  /** One accepted connection: admitted (or refused) as on the plain port, with TLS in front. */
  private void accept(Tcp.IncomingConnection c) {
    InetSocketAddress remote = c.remoteAddress();
    String addr = ClientFlow.address(remote);
    Flow<ByteString, ByteString, NotUsed> app;
    try {
      app = flows.admit(ctx, remote, c.localAddress(), protectedMode);
    } catch (RuntimeException e) {
      // Thrown out of here it would end the listener.
      log.error("cannot serve TLS client {}", addr, e);
      app = Flow.fromSinkAndSource(Sink.cancelled(), Source.empty());
    }
    SharedKillSwitch cut = KillSwitches.shared("tls-" + addr);
    c.handleWith(Flow.of(ByteString.class).via(cut.flow()).via(secured(app, remote, addr, cut)), system);
  }

  /**
   * Ciphertext in and out around {@code app}. Closing: the session's output ending closes the TLS session
   * (close_notify) and then the connection; the session no longer reading does not (IgnoreCancel), so the
   * replies it still owes go out. A client that never answers the close_notify is cut after a grace.
   */
  private Flow<ByteString, ByteString, NotUsed> secured(Flow<ByteString, ByteString, NotUsed> app,
      InetSocketAddress remote, String addr, SharedKillSwitch cut) {
    AtomicBoolean handshook = new AtomicBoolean();
    AtomicBoolean heard = new AtomicBoolean();
    Flow<SslTlsInbound, SslTlsOutbound, NotUsed> plain = Flow.of(SslTlsInbound.class)
        .viaMat(new DrainingWatch<>(), (nu, ended) -> {
          ended.whenComplete((d, e) -> ended(addr, handshook.get(), heard.get(), e));
          return NotUsed.getInstance();
        })
        .filter(in -> in instanceof SessionBytes)
        .map(in -> ((SessionBytes) in).bytes())
        .via(app)
        .watchTermination((nu, done) -> {
          done.whenComplete((d, e) -> system.scheduler().scheduleOnce(CLOSE_GRACE, cut::shutdown, system.dispatcher()));
          return NotUsed.getInstance();
        })
        .map(bytes -> (SslTlsOutbound) new SendBytes(bytes));
    Flow<ByteString, ByteString, NotUsed> secure = TLS.create(
            () -> tls.newEngine(remote.getHostString(), remote.getPort()), session -> handshook.set(true),
            IgnoreCancel$.MODULE$)
        .reversed()
        .join(plain);
    return Flow.of(ByteString.class)
        .map(bytes -> {
          heard.lazySet(true);
          return bytes;
        })
        .via(secure);
  }

  /**
   * A connection ended: one that ended during its handshake is a refusal (logged, counted), whatever
   * ended it, unless the client sent nothing at all (a port probe); a TLS error later is logged too.
   */
  private void ended(String addr, boolean handshook, boolean heard, Throwable e) {
    Throwable cause = e;
    while (cause != null && !(cause instanceof SSLException) && cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    boolean tlsError = cause instanceof SSLException;
    if (!handshook && (heard || tlsError)) {
      handshakeFailures.increment();
      ctx.stats.tlsHandshakeFailed();
      log.warn("TLS handshake with client {} failed, connection closed: {}", addr,
          tlsError ? cause.getMessage() : "the client closed the connection during the handshake");
    } else if (tlsError) {
      log.warn("TLS error on client connection {}, connection closed: {}", addr, cause.getMessage());
    }
  }

  /** Handshakes that failed since the start (refused client certificates among them). */
  public long handshakeFailures() {
    return handshakeFailures.sum();
  }

  public InetSocketAddress address() {
    return binding.localAddress();
  }

  /** Reads the certificate files again if they changed (otherwise done every second). */
  boolean checkFiles() {
    return tls.check();
  }

  /** Stops accepting; connections already open go on until they or the system end. */
  public CompletionStage<?> stop() {
    Cancellable c = checks;
    if (c != null) {
      c.cancel();
    }
    Tcp.ServerBinding b = binding;
    return b == null ? CompletableFuture.completedFuture(null) : b.unbind();
  }
}
