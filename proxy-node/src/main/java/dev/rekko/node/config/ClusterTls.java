package dev.rekko.node.config;

import dev.rekko.node.tls.ClusterTlsEngine;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code rekko.cluster.tls}: Artery, the transport between the nodes, over TLS with mutual
 * authentication. Every node shows its certificate and accepts a peer only when the peer's chains to
 * {@code ca}: a process without a certificate of the cluster's CA cannot join, nor send a node anything.
 *
 * @param enabled off: plain TCP between the nodes, the other fields unused
 * @param cert    this node's certificate chain (PEM, the leaf first), used as server and as client
 * @param key     its private key (PEM, unencrypted)
 * @param ca      the cluster's CA (PEM): peers' certificates must chain to it
 */
public record ClusterTls(boolean enabled, Path cert, Path key, Path ca) {

  /** Plain TCP. */
  public static final ClusterTls OFF = new ClusterTls(false, Path.of(""), Path.of(""), Path.of(""));

  /**
   * The Pekko settings this turns into: transport {@code tls-tcp} with Rekko's engine provider
   * ({@link ClusterTlsEngine}, which reads PEM files of any key type and picks up rotated files).
   * Empty when off, leaving Pekko's plain {@code tcp}.
   */
  public Map<String, Object> pekkoSettings() {
    Map<String, Object> s = new LinkedHashMap<>();
    if (!enabled) {
      return s;
    }
    s.put("pekko.remote.artery.transport", "tls-tcp");
    s.put("pekko.remote.artery.ssl.ssl-engine-provider", ClusterTlsEngine.class.getName());
    s.put(ClusterTlsEngine.CONFIG + ".cert-file", cert.toAbsolutePath().toString());
    s.put(ClusterTlsEngine.CONFIG + ".key-file", key.toAbsolutePath().toString());
    s.put(ClusterTlsEngine.CONFIG + ".ca-file", ca.toAbsolutePath().toString());
    return s;
  }

  /**
   * The {@code -D} settings that turn cluster TLS on, for tools that start nodes (the demo's
   * {@code --tls}): every node gets a certificate of the same CA.
   */
  public static Map<String, String> overrides(Path cert, Path key, Path ca) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("rekko.cluster.tls.enabled", "on");
    s.put("rekko.cluster.tls.cert-file", cert.toAbsolutePath().toString());
    s.put("rekko.cluster.tls.key-file", key.toAbsolutePath().toString());
    s.put("rekko.cluster.tls.ca-file", ca.toAbsolutePath().toString());
    return s;
  }
}
