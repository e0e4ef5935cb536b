package dev.rekko.node.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code rekko.admin.tls}: whether the HTTP API, metrics and console are served over HTTPS, with which
 * certificate, and whether clients must show a certificate of their own signed by {@code ca}.
 *
 * @param enabled    off: plain HTTP, the other fields unused
 * @param cert       the server's certificate chain (PEM, the leaf first)
 * @param key        its private key (PEM, unencrypted)
 * @param ca         the CA that client certificates must chain to; needed unless {@code clientAuth} is NONE
 * @param clientAuth whether a client certificate is asked for
 */
public record AdminTls(boolean enabled, Path cert, Path key, Optional<Path> ca, ClientAuth clientAuth) {

  /** Plain HTTP. */
  public static final AdminTls OFF = new AdminTls(false, Path.of(""), Path.of(""), Optional.empty(), ClientAuth.NONE);

  /** {@code rekko.admin.tls.client-auth}. */
  public enum ClientAuth {
    /** No client certificate is asked for: the token guards the API. */
    NONE,
    /** A client may show a certificate; one that does must chain to {@code ca-file}. */
    OPTIONAL,
    /** A client without a certificate signed by {@code ca-file} is refused in the TLS handshake. */
    REQUIRED
  }

  /** {@code http} or {@code https}. */
  public String scheme() {
    return enabled ? "https" : "http";
  }

  /**
   * The {@code -D} settings that turn admin HTTPS on, for tools that start nodes (the demo): {@code ca}
   * empty for no client certificates.
   */
  public static Map<String, String> overrides(Path cert, Path key, Optional<Path> ca, ClientAuth clientAuth) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("rekko.admin.tls.enabled", "on");
    s.put("rekko.admin.tls.cert-file", cert.toAbsolutePath().toString());
    s.put("rekko.admin.tls.key-file", key.toAbsolutePath().toString());
    ca.ifPresent(c -> s.put("rekko.admin.tls.ca-file", c.toAbsolutePath().toString()));
    s.put("rekko.admin.tls.client-auth", clientAuth.name().toLowerCase(java.util.Locale.ROOT));
    return s;
  }
}
