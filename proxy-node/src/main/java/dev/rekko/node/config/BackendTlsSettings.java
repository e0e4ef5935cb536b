package dev.rekko.node.config;

import dev.rekko.redis.tls.BackendTls;
import dev.rekko.redis.tls.TlsContexts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Optional;

/**
 * {@code rekko.backend.tls}: TLS on every connection to the backend Redis servers (the data path, the
 * mover, the admin calls, health checks, pub/sub), for servers that listen on {@code tls-port}. Read and
 * checked at start: the files are loaded into the client context here, so a missing file or a key that
 * does not fit its certificate stops the node naming its key, not at its first connection.
 */
final class BackendTlsSettings {
  private static final String TLS = "rekko.backend.tls.";

  private BackendTlsSettings() {}

  /** The client TLS of the backend connections; null when {@code enabled} is off (plain TCP). */
  static BackendTls read(ConfigReader r) {
    boolean enabled = r.bool(TLS + "enabled");
    Optional<Path> ca = file(r, "ca-file", enabled);
    Optional<Path> cert = file(r, "cert-file", enabled);
    Optional<Path> key = file(r, "key-file", enabled);
    if (!enabled) {
      return null;
    }
    if (cert.isPresent() != key.isPresent()) {
      r.problem(TLS + (cert.isPresent() ? "key-file" : "cert-file"),
          "cert-file and key-file go together: set both for a client certificate, or neither");
      return null;
    }
    try {
      return BackendTls.of(TlsContexts.client(ca, cert, key));
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      r.problem(TLS + (cert.isPresent() ? "cert-file" : "ca-file"),
          "cannot build the backend TLS context: " + e.getMessage());
      return null;
    }
  }

  /** An optional file; when TLS is on it must be readable. */
  private static Optional<Path> file(ConfigReader r, String name, boolean check) {
    String text = r.string(TLS + name).trim();
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Path p = Path.of(text);
    if (check && !Files.isReadable(p)) {
      r.problem(TLS + name, "cannot read " + p + r.origin(TLS + name));
    }
    return Optional.of(p);
  }
}
