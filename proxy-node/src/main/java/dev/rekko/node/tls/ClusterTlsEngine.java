package dev.rekko.node.tls;

import com.typesafe.config.Config;
import dev.rekko.redis.tls.PemFiles;
import dev.rekko.redis.tls.TlsContexts;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.artery.tcp.SSLEngineProvider;
import org.apache.pekko.remote.artery.tcp.SslTransportException;
import scala.Option;

/**
 * Artery's TLS engines for {@code rekko.cluster.tls} ({@code pekko.remote.artery.ssl.ssl-engine-provider}):
 * mutual TLS 1.3/1.2 with the node's PEM certificate, trusting only the cluster's CA. Both ends of every
 * connection show a certificate, and each refuses the handshake when the other's does not chain to the CA.
 *
 * <p>Rekko's own rather than Pekko's {@code RotatingKeysSSLEngineProvider}, which reads only RSA keys
 * (pekko-pki), only certificates a root CA signed directly, and admits only peers sharing a subject name
 * with the node's own certificate; this one reads the keys {@code PemFiles} reads (EC, RSA; PKCS#8,
 * PKCS#1, SEC1) and chains, and also picks up rotated files ({@link ReloadingContext}). Pekko creates it
 * by class name with the ActorSystem; its settings, under {@link #CONFIG}, come from
 * {@code rekko.cluster.tls} through {@code ClusterTls.pekkoSettings}.
 */
public final class ClusterTlsEngine implements SSLEngineProvider {
  /** Where the engine's settings live in the Pekko config: {@code cert-file}, {@code key-file}, {@code ca-file}. */
  public static final String CONFIG = "pekko.remote.artery.ssl.rekko-pem-engine";

  private final ReloadingContext context;

  /** Pekko's constructor. */
  public ClusterTlsEngine(ActorSystem system) {
    this(system.settings().config().getConfig(CONFIG));
  }

  ClusterTlsEngine(Config c) {
    Path cert = Path.of(c.getString("cert-file"));
    Path key = Path.of(c.getString("key-file"));
    Path ca = Path.of(c.getString("ca-file"));
    try {
      context = ReloadingContext.open("cluster TLS", List.of(cert, key, ca), () -> context(cert, key, ca));
    } catch (IOException | GeneralSecurityException e) {
      throw new SslTransportException("cluster TLS: cannot use " + cert + ", " + key + " and " + ca + ": "
          + e.getMessage(), e);
    }
  }

  /** Keys and trust as {@code TlsContexts.server} builds them, the trust logging what it refuses. */
  private static SSLContext context(Path cert, Path key, Path ca) throws IOException, GeneralSecurityException {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(PemFiles.keyStore(cert, key), new char[0]);
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(PemFiles.trustStore(ca));
    TrustManager[] managers = trust.getTrustManagers();
    for (int i = 0; i < managers.length; i++) {
      if (managers[i] instanceof X509ExtendedTrustManager x509) {
        managers[i] = new LoggingTrustManager(x509, "cluster TLS");
      }
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keys.getKeyManagers(), managers, null);
    return ctx;
  }

  @Override
  public SSLEngine createServerSSLEngine(String hostname, int port) {
    SSLEngine engine = context.current().createSSLEngine(hostname, port);
    engine.setUseClientMode(false);
    engine.setEnabledProtocols(TlsContexts.PROTOCOLS);
    // The mutual part: a peer that shows no certificate of the cluster's CA is refused.
    engine.setNeedClientAuth(true);
    return engine;
  }

  @Override
  public SSLEngine createClientSSLEngine(String hostname, int port) {
    SSLEngine engine = context.current().createSSLEngine(hostname, port);
    engine.setUseClientMode(true);
    engine.setEnabledProtocols(TlsContexts.PROTOCOLS);
    return engine;
  }

  /** Nothing beyond the handshake: the CA decides who belongs to the cluster. */
  @Override
  public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
    return Option.empty();
  }

  @Override
  public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
    return Option.empty();
  }
}
