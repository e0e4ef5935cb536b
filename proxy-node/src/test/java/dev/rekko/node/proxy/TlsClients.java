package dev.rekko.node.proxy;

import dev.rekko.redis.tls.Certificates;
import dev.rekko.redis.tls.PemFiles;
import dev.rekko.redis.tls.TlsContexts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/** TLS client sockets for the tests: trusting one CA, with or without a client certificate. */
final class TlsClients {
  private TlsClients() {}

  /**
   * A client context trusting {@code ca}, presenting {@code cert} when it is not null, even to a server
   * that names other CAs as acceptable (the JDK's own key manager would then send no certificate).
   */
  static SSLContext context(Path ca, Certificates.Issued cert) throws IOException, GeneralSecurityException {
    if (cert == null) {
      return TlsContexts.client(Optional.of(ca), Optional.empty(), Optional.empty());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(PemFiles.keyStore(cert.cert(), cert.key()), new char[0]);
    X509ExtendedKeyManager keys = (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(PemFiles.trustStore(ca));
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(new KeyManager[] {new AnyIssuer(keys)}, tmf.getTrustManagers(), null);
    return ctx;
  }

  /** Presents its one key whatever issuers the server asks for. */
  private static final class AnyIssuer extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager keys;

    AnyIssuer(X509ExtendedKeyManager keys) {
      this.keys = keys;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return "key";
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return "key";
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {"key"};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return keys.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return keys.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return keys.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return keys.getPrivateKey(alias);
    }
  }

  /**
   * A connected socket with the handshake done, which checks the server's name (127.0.0.1) as HTTPS
   * clients do; {@code protocols} empty = TLS 1.3 and 1.2.
   */
  static SSLSocket connect(int port, Path ca, Certificates.Issued cert, String... protocols)
      throws IOException, GeneralSecurityException {
    SSLSocket s = (SSLSocket) context(ca, cert).getSocketFactory().createSocket("127.0.0.1", port);
    try {
      s.setSoTimeout(ProxyFixture.TIMEOUT_MILLIS);
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      p.setProtocols(protocols.length == 0 ? TlsContexts.PROTOCOLS : protocols);
      s.setSSLParameters(p);
      s.startHandshake();
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Writes {@code request} and reads exactly as many bytes as {@code expectedLength}. */
  static String call(SSLSocket s, String request, int expectedLength) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(request.getBytes(StandardCharsets.UTF_8));
    out.flush();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[expectedLength];
    int n = 0;
    while (n < expectedLength) {
      int r = in.read(buf, n, expectedLength - n);
      if (r < 0) {
        throw new IOException("closed after " + n + " bytes: " + new String(buf, 0, n, StandardCharsets.UTF_8));
      }
      n += r;
    }
    return new String(buf, StandardCharsets.UTF_8);
  }
}
