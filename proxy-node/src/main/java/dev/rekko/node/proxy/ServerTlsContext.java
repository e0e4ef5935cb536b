package dev.rekko.node.proxy;

import dev.rekko.node.config.ClientTls;
import dev.rekko.redis.tls.PemFiles;
import dev.rekko.redis.tls.TlsContexts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client TLS listener's {@link SSLContext}, built from {@code rekko.proxy.tls}'s PEM files and built
 * again when they change on disk (certificate rotation): {@link #check} compares each file's modification
 * time, size and file key (inode: a rename or a Kubernetes secret's symlink swap changes it) with what was
 * read last. A set of files that cannot be read, or whose key is not the certificate's, is logged and the
 * previous context stays; the same files are not tried again until they change once more. Engines are
 * made from whichever context is current, so only new connections see a new certificate.
 */
final class ServerTlsContext {
  private static final Logger log = LoggerFactory.getLogger(ServerTlsContext.class);

  private final ClientTls settings;
  private volatile SSLContext current;
  /** What the files looked like when last read, successfully or not. {@link #check}'s thread only. */
  private List<Object> seen;

  /** Reads the files; fails, naming the file, when they do not make a server context. */
  ServerTlsContext(ClientTls settings) throws IOException, GeneralSecurityException {
    this.settings = settings;
    this.seen = stamps();
    this.current = build();
  }

  /** A server engine for one client connection, from the current certificate. */
  SSLEngine newEngine(String peerHost, int peerPort) {
    SSLEngine e = current.createSSLEngine(peerHost, peerPort);
    e.setUseClientMode(false);
    e.setEnabledProtocols(TlsContexts.PROTOCOLS);
    switch (settings.clientAuth()) {
      case REQUIRED -> e.setNeedClientAuth(true);
      case OPTIONAL -> e.setWantClientAuth(true);
      default -> e.setNeedClientAuth(false);
    }
    return e;
  }

  /**
   * Reads the files again if any of them changed since the last look. Called from one thread (the
   * scheduler, every second).
   *
   * @return whether new connections get a new context
   */
  boolean check() {
    List<Object> now = stamps();
    if (now.equals(seen)) {
      return false;
    }
    seen = now;
    try {
      current = build();
      log.info("TLS certificate {} read again after a change on disk: new client connections present it",
          settings.certFile());
      return true;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      log.error("TLS files changed on disk but cannot be used, the previous certificate is still served "
          + "(tried again when the files change): {}", e.getMessage());
      return false;
    }
  }

  private SSLContext build() throws IOException, GeneralSecurityException {
    checkKeyMatches(settings.certFile(), settings.keyFile());
    return TlsContexts.server(settings.certFile(), settings.keyFile(), settings.caFile());
  }

  /**
   * A certificate with another certificate's key would be served, and every handshake would fail: a
   * rotation that replaced one file but not yet the other is refused here instead.
   */
  static void checkKeyMatches(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
    X509Certificate leaf = PemFiles.certificates(certFile).get(0);
    PrivateKey key = PemFiles.privateKey(keyFile);
    String algorithm = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm != null) {
      byte[] probe = "rekko".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(probe);
      byte[] signature = s.sign();
      s.initVerify(leaf.getPublicKey());
      s.update(probe);
      if (!s.verify(signature)) {
        throw new GeneralSecurityException(keyFile + " is not the key of the certificate in " + certFile);
      }
    }
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      // Served anyway, as Redis serves it: clients will say why they refuse it.
      log.warn("TLS certificate {} is not valid now ({}): clients that check it will refuse it", certFile,
          e.getMessage());
    }
  }

  /** Modification time, size and file key of each file; a file that cannot be read counts as its error. */
  private List<Object> stamps() {
    List<Object> out = new ArrayList<>(3);
    List<Path> files = new ArrayList<>(List.of(settings.certFile(), settings.keyFile()));
    settings.caFile().ifPresent(files::add);
    for (Path f : files) {
      try {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        out.add(List.of(a.lastModifiedTime(), a.size(), Objects.requireNonNullElse(a.fileKey(), "")));
      } catch (IOException e) {
        out.add(e.getClass().getName());
      }
    }
    return out;
  }
}
