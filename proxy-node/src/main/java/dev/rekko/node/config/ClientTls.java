package dev.rekko.node.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code rekko.proxy.tls}: the client TLS listener, a port of its own beside the plain RESP port, with
 * the node's certificate and key in PEM files and, for mutual TLS, the CA that client certificates must
 * chain to. The files are read again when they change on disk (certificate rotation), so only their
 * presence is checked here.
 *
 * @param port the TLS port; 0 = no TLS listener
 * @param caFile empty unless clients' certificates are checked
 */
public record ClientTls(int port, Path certFile, Path keyFile, Optional<Path> caFile, ClientAuth clientAuth) {

  /** Whether the node asks clients for a certificate, after Redis's {@code tls-auth-clients}. */
  public enum ClientAuth {
    /** Clients present no certificate. */
    NONE,
    /** A client may present one; if it does, it must chain to the CA. */
    OPTIONAL,
    /** A client without a certificate of the CA is refused during the handshake. */
    REQUIRED
  }

  /** No TLS listener. */
  public static final ClientTls OFF = new ClientTls(0, Path.of(""), Path.of(""), Optional.empty(), ClientAuth.NONE);

  public boolean enabled() {
    return port != 0;
  }

  /** Reads and checks {@code rekko.proxy.tls}; problems go to {@code r}. */
  static ClientTls read(ConfigReader r) {
    String base = "rekko.proxy.tls.";
    int port = r.port(base + "port");
    String cert = r.string(base + "cert-file").trim();
    String key = r.string(base + "key-file").trim();
    String ca = r.string(base + "ca-file").trim();
    ClientAuth auth = r.choice(base + "client-auth", ClientAuth.class, ClientAuth.NONE);
    if (port == 0) {
      return OFF;
    }
    file(r, base + "cert-file", cert);
    file(r, base + "key-file", key);
    if (!ca.isEmpty()) {
      file(r, base + "ca-file", ca);
    } else if (auth != ClientAuth.NONE) {
      r.problem(base + "ca-file", "must name the CA that client certificates chain to when "
          + base + "client-auth is " + auth.name().toLowerCase(java.util.Locale.ROOT));
    }
    return new ClientTls(port, Path.of(cert), Path.of(key), ca.isEmpty() ? Optional.empty() : Optional.of(Path.of(ca)),
        auth);
  }

  private static void file(ConfigReader r, String path, String value) {
    if (value.isEmpty()) {
      r.problem(path, "must name a PEM file when rekko.proxy.tls.port is set");
    } else if (!Files.isReadable(Path.of(value))) {
      r.problem(path, value + ": no such readable file" + r.origin(path));
    }
  }
}
