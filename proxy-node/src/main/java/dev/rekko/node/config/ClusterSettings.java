package dev.rekko.node.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code rekko.cluster}: how the node joins the Pekko cluster and how it behaves when it loses it.
 *
 * @param host        the address other nodes reach this node's cluster port on
 * @param port        the Artery port; zero picks a free one (tests)
 * @param seedNodes   {@code host:port} of the nodes to join through (this node's own address among them
 *                    is skipped: a node joins others, it never joins itself unless it may form a cluster)
 * @param formNewCluster whether, and how readily, this node forms a new cluster rather than join one
 * @param stableAfter how long membership must be stable before the Split Brain Resolver downs the
 *                    unreachable side
 * @param fenceAfter  how long this node may miss a majority before it refuses client commands; shorter
 *                    than {@code stableAfter}, so a minority stops writing before the majority moves on
 * @param onDowned    what the process does when the resolver downs this node
 * @param tls         {@code rekko.cluster.tls}: Artery over TLS with mutual authentication, or
 *                    {@link ClusterTls#OFF}
 * @param bootstrap   how the node finds the cluster: through the seed nodes, or Pekko's Cluster Bootstrap
 * @param management  the management endpoint and discovery, used with {@link Bootstrap#MANAGEMENT} only
 */
public record ClusterSettings(
    String host,
    int port,
    List<String> seedNodes,
    FormNewCluster formNewCluster,
    Duration stableAfter,
    Duration fenceAfter,
    OnDowned onDowned,
    ClusterTls tls,
    Bootstrap bootstrap,
    ManagementSettings management) {

  /** {@code rekko.cluster.bootstrap}. */
  public enum Bootstrap {
    /** Join through {@code seed-nodes}; form a new cluster only as {@code form-new-cluster} allows. */
    SEED_NODES,
    /**
     * Pekko Management's Cluster Bootstrap: find the other nodes by a discovery method (Kubernetes API,
     * DNS, a configured list), join the cluster one of them is in, or form one with them when none is.
     */
    MANAGEMENT
  }

  public enum OnDowned {
    /** Stop listening and end the process (exit code 3), for a supervisor to restart. */
    EXIT,
    /** Stop listening, then start a fresh node in the same process with the same settings. */
    RESTART
  }

  /**
   * {@code rekko.cluster.form-new-cluster}. A node that forms a cluster of its own while the real one runs
   * elsewhere serves routes that cluster has since changed, or a fresh seed of them: two clusters then
   * write to the same Redis servers. So forming is explicit, and even then cautious.
   */
  public enum FormNewCluster {
    /** Never form: join an existing cluster through the other seed nodes, and wait until one answers. */
    OFF,
    /**
     * Form a new cluster only when no other node it knows of (the other seed nodes, and the nodes in the
     * topology stored in its data folder) can be in one: each of them answered that it is up and in no
     * cluster, as after a full-cluster restart; a silent one may be in a running cluster behind a
     * partition, so the node waits. With no other node known, it forms at once.
     */
    ON,
    /**
     * Pekko's first-seed rule: join a cluster if one of those nodes answers within
     * {@code pekko.cluster.seed-node-timeout}, else form a new one. For recovery, when a node that will
     * never come back keeps {@link #ON} waiting.
     */
    FORCE
  }

  public ClusterSettings {
    seedNodes = List.copyOf(seedNodes);
  }

  /** Seed nodes as Pekko addresses of the {@code rekko} actor system. */
  public List<String> seedAddresses() {
    return seedNodes.stream().map(a -> "pekko://rekko@" + a).toList();
  }
}
