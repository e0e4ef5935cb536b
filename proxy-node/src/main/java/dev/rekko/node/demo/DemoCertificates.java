package dev.rekko.node.demo;

import dev.rekko.redis.tls.Certificates;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code demo --tls}: a throw-away CA made for this demo ({@link Certificates}, Bouncy Castle) and the
 * certificates it signs, as PEM files in one folder of the demo's, deleted with it: {@code ca.crt} (what
 * clients trust), {@code node-i.crt}/{@code .key} (node i's server certificate, for 127.0.0.1, ::1 and
 * localhost) and {@code client.crt}/{@code .key} (for clients, should mutual TLS be turned on).
 */
public final class DemoCertificates {
  private final Certificates ca;
  private final List<Certificates.Issued> nodes;
  private final Certificates.Issued client;

  private DemoCertificates(Certificates ca, List<Certificates.Issued> nodes, Certificates.Issued client) {
    this.ca = ca;
    this.nodes = List.copyOf(nodes);
    this.client = client;
  }

  /** Writes the CA and the certificates of {@code nodes} nodes and one client into {@code dir}. */
  public static DemoCertificates create(Path dir, int nodes) throws IOException, GeneralSecurityException {
    Certificates ca = Certificates.newCa(dir, "Rekko demo CA");
    List<Certificates.Issued> issued = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      issued.add(ca.issue("node-" + i));
    }
    return new DemoCertificates(ca, issued, ca.issue("client"));
  }

  public Path caFile() {
    return ca.caFile().toAbsolutePath();
  }

  /** Node i's certificate and key. */
  public Certificates.Issued node(int i) {
    return nodes.get(i);
  }

  public Certificates.Issued client() {
    return client;
  }
}
