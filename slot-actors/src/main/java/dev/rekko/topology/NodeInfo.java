package dev.rekko.topology;

import java.util.Objects;

/**
 * What one node tells the others about itself. Each node writes only its own entry.
 *
 * @param address      the cluster member address, e.g. {@code pekko://rekko@10.0.0.5:2551}; the map key
 * @param resp         RESP listener, {@code host:port}
 * @param http         HTTP listener, {@code host:port}
 * @param state        the node's own view of its state
 * @param appliedEpoch the highest topology epoch its routing table has applied, for operators and the
 *                     demo's readiness check; a migration's barrier asks each node's barrier agent
 *                     directly instead, which also waits for the drain of the source
 */
public record NodeInfo(String address, String resp, String http, NodeState state, long appliedEpoch)
    implements TopologySerializable {

  public NodeInfo {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(state, "state");
    resp = resp == null ? "" : resp;
    http = http == null ? "" : http;
  }

  public NodeInfo withState(NodeState newState) {
    return new NodeInfo(address, resp, http, newState, appliedEpoch);
  }

  public NodeInfo withAppliedEpoch(long epoch) {
    return new NodeInfo(address, resp, http, state, epoch);
  }
}
