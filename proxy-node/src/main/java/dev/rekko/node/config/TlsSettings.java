package dev.rekko.node.config;

import dev.rekko.redis.tls.PemFiles;
import dev.rekko.redis.tls.TlsContexts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Optional;

/**
 * Reads {@code rekko.admin.tls} and {@code rekko.cluster.tls} and checks them the way they will be used:
 * the files are read into an SSLContext now, so that a wrong path or a key that is not a key stops the
 * start with the key named, rather than fail every handshake later.
 */
final class TlsSettings {
  private TlsSettings() {}

  static AdminTls admin(ConfigReader r) {
    String p = "rekko.admin.tls.";
    boolean enabled = r.bool(p + "enabled");
    AdminTls.ClientAuth auth = r.choice(p + "client-auth", AdminTls.ClientAuth.class, AdminTls.ClientAuth.NONE);
    if (!enabled) {
      return AdminTls.OFF;
    }
    Optional<Path> cert = file(r, p + "cert-file", true);
    Optional<Path> key = file(r, p + "key-file", true);
    Optional<Path> ca = file(r, p + "ca-file", false);
    if (auth != AdminTls.ClientAuth.NONE && ca.isEmpty() && r.string(p + "ca-file").isBlank()) {
      r.problem(p + "ca-file", "client-auth = " + auth.name().toLowerCase(java.util.Locale.ROOT)
          + " needs the CA that client certificates must chain to");
    }
    if (cert.isEmpty() || key.isEmpty()) {
      return AdminTls.OFF;
    }
    load(r, p, cert.get(), key.get(), auth == AdminTls.ClientAuth.NONE ? Optional.empty() : ca);
    return new AdminTls(true, cert.get(), key.get(), ca, auth);
  }

  static ClusterTls cluster(ConfigReader r) {
    String p = "rekko.cluster.tls.";
    if (!r.bool(p + "enabled")) {
      return ClusterTls.OFF;
    }
    Optional<Path> cert = file(r, p + "cert-file", true);
    Optional<Path> key = file(r, p + "key-file", true);
    Optional<Path> ca = file(r, p + "ca-file", true);
    if (cert.isEmpty() || key.isEmpty() || ca.isEmpty()) {
      return ClusterTls.OFF;
    }
    load(r, p, cert.get(), key.get(), ca);
    return new ClusterTls(true, cert.get(), key.get(), ca.get());
  }

  /** The file at {@code path}; a problem when it is required and empty, or named but not readable. */
  private static Optional<Path> file(ConfigReader r, String path, boolean required) {
    String name = r.string(path).trim();
    if (name.isEmpty()) {
      if (required) {
        r.problem(path, "must name a PEM file when " + path.substring(0, path.lastIndexOf('.')) + ".enabled is on");
      }
      return Optional.empty();
    }
    Path file = Path.of(name);
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      r.problem(path, file.toAbsolutePath() + ": no such readable file" + r.origin(path));
      return Optional.empty();
    }
    return Optional.of(file);
  }

  private static void load(ConfigReader r, String prefix, Path cert, Path key, Optional<Path> ca) {
    try {
      TlsContexts.server(cert, key, ca);
      if (!matches(PemFiles.certificates(cert).get(0).getPublicKey(), PemFiles.privateKey(key))) {
        r.problem(prefix + "key-file", key.toAbsolutePath() + " is not the key of the certificate in " + cert.toAbsolutePath());
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      r.problem(prefix + "cert-file", "cannot use these PEM files: " + e.getMessage());
    }
  }

  /**
   * Whether {@code key} belongs to {@code pub}: a signature made with one checks with the other. A key
   * and certificate that do not match otherwise only show as failed handshakes. Unknown key types pass.
   */
  private static boolean matches(PublicKey pub, PrivateKey key) throws GeneralSecurityException {
    String algorithm = switch (key.getAlgorithm()) {
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return true;
    }
    byte[] probe = "rekko".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Signature sign = Signature.getInstance(algorithm);
    sign.initSign(key);
    sign.update(probe);
    byte[] signature = sign.sign();
    Signature verify = Signature.getInstance(algorithm);
    try {
      verify.initVerify(pub);
    } catch (java.security.InvalidKeyException e) {
      return false; // a key of another type
    }
    verify.update(probe);
    return verify.verify(signature);
  }
}
