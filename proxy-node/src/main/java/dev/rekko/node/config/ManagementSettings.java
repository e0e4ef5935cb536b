package dev.rekko.node.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code rekko.cluster.management} and {@code rekko.cluster.discovery}: how a node with
 * {@code rekko.cluster.bootstrap = management} finds the others. It serves Pekko Management's HTTP
 * endpoint, and Pekko's Cluster Bootstrap looks up the other nodes' endpoints (contact points) by a
 * discovery method, asks each whether it is in a cluster, joins that cluster, or, when none is and all
 * the required contact points answered, the one with the lowest address forms it.
 *
 * @param host                  the management endpoint's address, which the other nodes' contact points name
 * @param port                  its port; 0 picks a free one (tests)
 * @param method                how contact points are found
 * @param serviceName           the name looked up ({@code kubernetes-api}: the pods' {@code app} label by
 *                              default; {@code pekko-dns}: a DNS name; {@code config}: the key of the list)
 * @param requiredContactPoints how many contact points must be found before a new cluster is formed
 * @param portName              {@code kubernetes-api}: the name of the container port of the endpoint
 * @param podLabelSelector      {@code kubernetes-api}: the pods to list, {@code %s} standing for the service name
 * @param endpoints             {@code config}: the nodes' management endpoints as {@code host:port}
 */
public record ManagementSettings(
    String host,
    int port,
    DiscoveryMethod method,
    String serviceName,
    int requiredContactPoints,
    String portName,
    String podLabelSelector,
    List<String> endpoints) {

  /** {@code rekko.cluster.discovery.method}. */
  public enum DiscoveryMethod {
    /** Lists the pods matching the label selector through the Kubernetes API (RBAC: get, watch, list pods). */
    KUBERNETES_API("kubernetes-api"),
    /** A fixed list of endpoints in the configuration (every node the same list). */
    CONFIG("config"),
    /** A DNS lookup of the service name: A/AAAA records of a headless service. */
    PEKKO_DNS("pekko-dns");

    private final String pekkoName;

    DiscoveryMethod(String pekkoName) {
      this.pekkoName = pekkoName;
    }

    /** The name as in {@code pekko.discovery.method}, and as written in the setting. */
    public String pekkoName() {
      return pekkoName;
    }
  }

  public ManagementSettings {
    endpoints = List.copyOf(endpoints);
  }

  static ManagementSettings read(ConfigReader r, String clusterHost) {
    String host = r.string("rekko.cluster.management.host").trim();
    String methodName = r.string("rekko.cluster.discovery.method").trim().toLowerCase(Locale.ROOT);
    DiscoveryMethod method = null;
    for (DiscoveryMethod m : DiscoveryMethod.values()) {
      if (m.pekkoName().equals(methodName)) {
        method = m;
      }
    }
    if (method == null) {
      r.problem("rekko.cluster.discovery.method", "must be kubernetes-api, config or pekko-dns, got \""
          + methodName + "\"" + r.origin("rekko.cluster.discovery.method"));
      method = DiscoveryMethod.KUBERNETES_API;
    }
    return new ManagementSettings(
        host.isEmpty() ? clusterHost : host,
        r.port("rekko.cluster.management.port"),
        method,
        r.string("rekko.cluster.discovery.service-name").trim(),
        r.integer("rekko.cluster.discovery.required-contact-points", 1, 1000),
        r.string("rekko.cluster.discovery.port-name").trim(),
        r.string("rekko.cluster.discovery.pod-label-selector").trim(),
        r.addresses("rekko.cluster.discovery.endpoints"));
  }

  /** The problems of these settings for a node that bootstraps by them. */
  void check(ConfigReader r, ClusterSettings cluster, int... otherPorts) {
    if (serviceName.isEmpty()) {
      r.problem("rekko.cluster.discovery.service-name", "must not be empty");
    }
    if (method == DiscoveryMethod.CONFIG && endpoints.isEmpty()) {
      r.problem("rekko.cluster.discovery.endpoints", "names no management endpoint: the config discovery method "
          + "needs every node's rekko.cluster.management host:port (the same list on every node)");
    }
    if (method == DiscoveryMethod.CONFIG && !endpoints.isEmpty() && endpoints.size() < requiredContactPoints) {
      r.problem("rekko.cluster.discovery.required-contact-points", requiredContactPoints + " is more than the "
          + endpoints.size() + " rekko.cluster.discovery.endpoints: a new cluster would never form");
    }
    if (method == DiscoveryMethod.KUBERNETES_API && portName.isEmpty()) {
      r.problem("rekko.cluster.discovery.port-name", "must name the pods' container port of the management "
          + "endpoint for the kubernetes-api method");
    }
    if (!cluster.seedNodes().isEmpty()) {
      r.problem("rekko.cluster.seed-nodes", "must be empty with rekko.cluster.bootstrap = management: Cluster "
          + "Bootstrap finds the other nodes itself");
    }
    for (int other : otherPorts) {
      if (port != 0 && port == other) {
        r.problem("rekko.cluster.management.port", port + " is also the RESP, HTTP or cluster port");
      }
    }
  }

  /** The Pekko Management, Cluster Bootstrap and discovery settings these stand for. */
  public Map<String, Object> pekkoSettings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("pekko.management.http.hostname", host);
    s.put("pekko.management.http.port", port);
    s.put("pekko.discovery.method", method.pekkoName());
    String bootstrap = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    s.put(bootstrap + "service-name", serviceName);
    s.put(bootstrap + "required-contact-point-nr", requiredContactPoints);
    switch (method) {
      case KUBERNETES_API -> {
        s.put(bootstrap + "port-name", portName);
        s.put("pekko.discovery.kubernetes-api.pod-label-selector", podLabelSelector);
      }
      case CONFIG -> {
        List<Map<String, Object>> list = new ArrayList<>();
        for (String e : endpoints) {
          int colon = e.lastIndexOf(':');
          list.add(Map.of("host", e.substring(0, colon), "port", Integer.parseInt(e.substring(colon + 1))));
        }
        s.put("pekko.discovery.config.services." + quoted(serviceName) + ".endpoints", list);
        // Several endpoints on one host (tests, or several nodes on a machine) are all contact points:
        // without this Bootstrap keeps only the one on this node's own management port.
        s.put("pekko.management.cluster.bootstrap.contact-point.filter-on-fallback-port", false);
      }
      case PEKKO_DNS -> {
        // A/AAAA records carry no port: the contact points' port is this node's management port.
      }
    }
    return s;
  }

  private static String quoted(String key) {
    return "\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
