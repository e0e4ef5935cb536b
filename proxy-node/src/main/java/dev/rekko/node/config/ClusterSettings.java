package dev.rekko.node.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code rekko.cluster}: how the node joins the Pekko cluster and how it behaves when it loses it.
 *
 * @param host        the address other nodes reach this node's cluster port on
 * @param port        the Artery port; zero picks a free one (tests)
 * @param seedNodes   {@code host:port} of the nodes to join through; empty = form a cluster alone
 * @param stableAfter how long membership must be stable before the Split Brain Resolver downs the
 *                    unreachable side
 * @param fenceAfter  how long this node may miss a majority before it refuses client commands; shorter
 *                    than {@code stableAfter}, so a minority stops writing before the majority moves on
 * @param onDowned    what the process does when the resolver downs this node
 */
public record ClusterSettings(
    String host,
    int port,
    List<String> seedNodes,
    Duration stableAfter,
    Duration fenceAfter,
    OnDowned onDowned) {

  public enum OnDowned {
    /** Stop listening and end the process (exit code 3), for a supervisor to restart. */
    EXIT,
    /** Stop listening, then start a fresh node in the same process with the same settings. */
    RESTART
  }

  public ClusterSettings {
    seedNodes = List.copyOf(seedNodes);
  }

  /** Seed nodes as Pekko addresses of the {@code rekko} actor system. */
  public List<String> seedAddresses() {
    return seedNodes.stream().map(a -> "pekko://rekko@" + a).toList();
  }
}
