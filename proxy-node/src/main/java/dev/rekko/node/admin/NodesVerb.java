package dev.rekko.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code nodes}: the cluster's Rekko nodes (codis-admin's proxy list). */
@Command(name = "nodes", mixinStandardHelpOptions = true,
    header = "Lists the Rekko nodes: address, RESP and HTTP listeners, state, applied epoch.")
final class NodesVerb extends Verb {
  @Override
  void run(AdminClient api) {
    JsonNode nodes = api.get("/api/nodes");
    show(nodes, () -> ClusterViews.nodes(nodes, out()));
  }
}
