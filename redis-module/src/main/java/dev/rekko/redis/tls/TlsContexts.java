package dev.rekko.redis.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@link SSLContext}s from PEM files ({@link PemFiles}): one for a server (its certificate and key, and
 * the CA it checks client certificates against, for mutual TLS) and one for a client (the CA it trusts,
 * and its own certificate and key when the server asks for one). TLS 1.2 and 1.3 only: callers set
 * {@link #PROTOCOLS} on each engine.
 */
public final class TlsContexts {
  /** The protocol versions Rekko speaks, on every leg. */
  public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private TlsContexts() {}

  /**
   * A server's context.
   *
   * @param ca when present, the CA whose certificates clients may present (the caller decides whether
   *           one is required: {@code SSLEngine.setNeedClientAuth}/{@code setWantClientAuth})
   */
  public static SSLContext server(Path cert, Path key, Optional<Path> ca) throws IOException, GeneralSecurityException {
    return context(keyManagers(cert, key), ca.isPresent() ? trustManagers(ca.get()) : null);
  }

  /**
   * A client's context.
   *
   * @param ca   the CA the server's certificate must chain to; empty: the JDK's default trust store
   * @param cert with {@code key}, the client's own certificate for servers that require one
   */
  public static SSLContext client(Optional<Path> ca, Optional<Path> cert, Optional<Path> key)
      throws IOException, GeneralSecurityException {
    KeyManager[] keys = cert.isPresent() && key.isPresent() ? keyManagers(cert.get(), key.get()) : null;
    return context(keys, ca.isPresent() ? trustManagers(ca.get()) : null);
  }

  private static SSLContext context(KeyManager[] keys, TrustManager[] trust) throws GeneralSecurityException {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keys, trust, null);
    return ctx;
  }

  private static KeyManager[] keyManagers(Path cert, Path key) throws IOException, GeneralSecurityException {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(PemFiles.keyStore(cert, key), PemFiles.NO_PASSWORD);
    return kmf.getKeyManagers();
  }

  private static TrustManager[] trustManagers(Path ca) throws IOException, GeneralSecurityException {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(PemFiles.trustStore(ca));
    return tmf.getTrustManagers();
  }
}
