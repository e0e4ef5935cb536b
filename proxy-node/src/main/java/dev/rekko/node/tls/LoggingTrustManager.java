package dev.rekko.node.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA's trust manager, logging each peer certificate it refuses: Pekko does not log a failed inbound
 * TLS handshake, so without this a node would refuse an intruder silently. One line per certificate per
 * minute, since a refused peer keeps retrying. (A peer without any certificate, or without TLS, is still
 * refused without a line here: the handshake fails before a certificate is checked. Its own log says so.)
 */
final class LoggingTrustManager extends X509ExtendedTrustManager {
  private static final Logger log = LoggerFactory.getLogger(LoggingTrustManager.class);
  private static final long QUIET_NANOS = 60_000_000_000L;
  private static final int REMEMBERED = 256;

  private final X509ExtendedTrustManager trust;
  private final String what;
  private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

  LoggingTrustManager(X509ExtendedTrustManager trust, String what) {
    this.trust = trust;
    this.what = what;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    try {
      trust.checkClientTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      refused("an incoming connection", chain, e);
      throw e;
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    try {
      trust.checkServerTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      refused("the node at " + engine.getPeerHost() + ":" + engine.getPeerPort(), chain, e);
      throw e;
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    trust.checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    trust.checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    trust.checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    trust.checkServerTrusted(chain, authType);
  }

  /**
   * None named: a server names the CAs it accepts in its certificate request, and a client whose
   * certificate is of another CA then sends none, which the handshake refuses before any trust manager
   * sees it, so without a line in the log. Named or not, only the CA's certificates pass.
   */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }

  private void refused(String peer, X509Certificate[] chain, CertificateException e) {
    String who = chain.length == 0 ? "no certificate"
        : chain[0].getSubjectX500Principal().getName() + " issued by " + chain[0].getIssuerX500Principal().getName();
    long now = System.nanoTime();
    Long last = lastLogged.get(who);
    if (last != null && now - last < QUIET_NANOS) {
      return;
    }
    if (lastLogged.size() >= REMEMBERED) {
      lastLogged.clear();
    }
    lastLogged.put(who, now);
    log.warn("{}: refused {}: its certificate ({}) is not one of this cluster's CA: {}", what, peer, who,
        e.getMessage());
  }
}
