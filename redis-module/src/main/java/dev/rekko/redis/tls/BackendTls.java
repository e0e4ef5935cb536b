package dev.rekko.redis.tls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * How Rekko speaks TLS to backend Redis servers that listen on {@code tls-port} ({@code rekko.backend.tls}):
 * one client {@link SSLContext} (the CA the servers' certificates must chain to, and Rekko's own client
 * certificate for servers with {@code tls-auth-clients yes}), and the engines and sockets made from it for
 * every kind of backend connection: the pipelined data path ({@link #engine}, under an NIO channel) and the
 * blocking admin, mover, probe and pub/sub connections ({@link #connect}).
 *
 * <p><b>What is verified.</b> The server's certificate chain, against the CA, always. The server's name only
 * when the server is addressed by a host name: then the certificate must carry that name (the HTTPS rules,
 * {@code subjectAltName} DNS entries). A server addressed by an IP address is not checked against its
 * certificate's IP entries — as Redis's own replication and cluster links, which check the chain only —
 * because certificates for Redis servers rarely list their addresses, and a CA that signs only the cluster's
 * servers already proves the peer is one of them. TLS 1.3 and 1.2 only ({@link TlsContexts#PROTOCOLS}).
 *
 * <p>{@code null} where a {@code BackendTls} is expected means plain TCP.
 */
public final class BackendTls {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final SSLContext context;

  private BackendTls(SSLContext context) {
    this.context = Objects.requireNonNull(context, "context");
  }

  /** TLS with this client context (from {@link TlsContexts#client}). */
  public static BackendTls of(SSLContext context) {
    return new BackendTls(context);
  }

  public SSLContext context() {
    return context;
  }

  /** A client engine for {@code host:port}, with Rekko's protocols and the verification described above. */
  public SSLEngine engine(String host, int port) {
    SSLEngine engine = context.createSSLEngine(host, port);
    engine.setUseClientMode(true);
    engine.setSSLParameters(parameters(engine.getSSLParameters(), host));
    return engine;
  }

  /**
   * A blocking TLS connection to {@code host:port}: TCP connect within {@code connectTimeoutMillis}, then the
   * TLS handshake, which must also finish within that time. The caller sets its own read timeout afterwards.
   *
   * @throws IOException when the server cannot be reached or the handshake fails (an {@code SSLException}:
   *                     a certificate that does not chain to the CA, a client certificate the server refused)
   */
  public SSLSocket connect(String host, int port, int connectTimeoutMillis) throws IOException {
    Socket plain = new Socket();
    try {
      plain.setTcpNoDelay(true);
      plain.setKeepAlive(true);
      plain.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
      return handshake(plain, host, port, connectTimeoutMillis);
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  /**
   * TLS over a socket already connected to {@code host:port}, handshake done within {@code timeoutMillis};
   * closing the returned socket closes {@code plain}, and closing {@code plain} from another thread stops
   * the handshake.
   */
  public SSLSocket handshake(Socket plain, String host, int port, int timeoutMillis) throws IOException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
    try {
      s.setSSLParameters(parameters(s.getSSLParameters(), host));
      s.setSoTimeout(Math.max(1, timeoutMillis));
      s.startHandshake();
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** True for an IPv4 or IPv6 literal: such a server is not checked against its certificate's names. */
  public static boolean isAddressLiteral(String host) {
    return host.indexOf(':') >= 0 || IPV4.matcher(host).matches();
  }

  private static SSLParameters parameters(SSLParameters p, String host) {
    p.setProtocols(TlsContexts.PROTOCOLS);
    if (!isAddressLiteral(host)) {
      p.setEndpointIdentificationAlgorithm("HTTPS");
    }
    return p;
  }

  @Override
  public String toString() {
    return "BackendTls[" + context.getProtocol() + "]";
  }
}
