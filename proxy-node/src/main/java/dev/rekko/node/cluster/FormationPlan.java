package dev.rekko.node.cluster;

import dev.rekko.node.config.ClusterSettings.FormNewCluster;
import dev.rekko.node.config.ManagementSettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Address;

/**
 * How a node becomes a cluster member: the list it gives Pekko's {@code JoinSeedNodes}, and what it says
 * while it waits. Pekko joins the first of that list that is in a cluster; with the node's own address
 * first it may form a new one (when every other address answered that it is in none, or at
 * {@code seed-node-timeout}, whichever comes first; the node's config makes the timeout endless for
 * {@code form-new-cluster = on}); without it, never.
 *
 * @param joinSeedNodes empty: nothing to join, the node waits until it is configured otherwise
 * @param waiting       why the node does not serve until it is a member, for the log and {@code /api/ready}
 */
public record FormationPlan(List<Address> joinSeedNodes, String waiting) {

  public FormationPlan {
    joinSeedNodes = List.copyOf(joinSeedNodes);
  }

  /** Whether the node may form a new cluster by this plan. */
  public boolean mayForm(Address self) {
    return !joinSeedNodes.isEmpty() && joinSeedNodes.get(0).equals(self);
  }

  /**
   * @param seeds  {@code rekko.cluster.seed-nodes}, as addresses
   * @param stored the members in the topology this node's data folder holds from an earlier run
   */
  public static FormationPlan of(Address self, List<Address> seeds, Collection<Address> stored, FormNewCluster mode) {
    Set<Address> others = new LinkedHashSet<>(seeds);
    others.remove(self);
    Set<Address> storedOthers = new LinkedHashSet<>(stored);
    storedOthers.remove(self);
    storedOthers.removeAll(others);
    if (mode == FormNewCluster.OFF) {
      if (others.isEmpty()) {
        return new FormationPlan(List.of(), "not joining any cluster: rekko.cluster.seed-nodes names no node but "
            + "this one, and rekko.cluster.form-new-cluster is off (start one node with --new-cluster, or set "
            + "rekko.cluster.form-new-cluster = on, to form a new cluster)");
      }
      return new FormationPlan(List.copyOf(others), "waiting to join the cluster through seed nodes "
          + show(others) + " (rekko.cluster.form-new-cluster is off: this node never forms a cluster itself)");
    }
    List<Address> list = new ArrayList<>();
    list.add(self);
    list.addAll(others);
    list.addAll(storedOthers);
    if (list.size() == 1) {
      return new FormationPlan(list, "forming a new cluster (rekko.cluster.form-new-cluster = "
          + mode.name().toLowerCase(java.util.Locale.ROOT) + ", and no other node is known)");
    }
    String through = (others.isEmpty() ? "" : "seed nodes " + show(others))
        + (!others.isEmpty() && !storedOthers.isEmpty() ? " and " : "")
        + (storedOthers.isEmpty() ? "" : "the other nodes of its stored topology " + show(storedOthers));
    String rule = mode == FormNewCluster.ON
        ? "it forms a new cluster only once every one of them answers that it is up and in no cluster "
            + "(rekko.cluster.form-new-cluster = on; a node lost for good needs force)"
        : "it forms a new cluster if none of them answers within pekko.cluster.seed-node-timeout "
            + "(rekko.cluster.form-new-cluster = force)";
    return new FormationPlan(list, "waiting to join the cluster through " + through + "; " + rule);
  }

  /**
   * With {@code rekko.cluster.bootstrap = management} Pekko's Cluster Bootstrap joins: nothing to give
   * {@code JoinSeedNodes}, only what the node waits for.
   *
   * @param contactPoint this node's management endpoint, {@code host:port}
   */
  public static FormationPlan bootstrap(ManagementSettings m, String contactPoint) {
    String found = switch (m.method()) {
      case CONFIG -> "the contact points " + String.join(", ", m.endpoints()) + " (rekko.cluster.discovery.endpoints)";
      case KUBERNETES_API -> "the contact points (port " + m.portName() + ") of the pods labelled "
          + m.podLabelSelector().replace("%s", m.serviceName()) + " that the Kubernetes API lists";
      case PEKKO_DNS -> "the contact points that DNS names for " + m.serviceName();
    };
    return new FormationPlan(List.of(), "waiting for Cluster Bootstrap: asking " + found
        + " whether they are in a cluster, to join it; a new cluster forms only once at least "
        + m.requiredContactPoints() + " contact points are found and all of them answer that they are in none "
        + "(rekko.cluster.bootstrap = management; this node's contact point is " + contactPoint + ")");
  }

  private static String show(Collection<Address> addresses) {
    return addresses.stream()
        .map(a -> a.host().isDefined() ? a.host().get() + ":" + a.port().get() : a.toString())
        .collect(Collectors.joining(", "));
  }
}
