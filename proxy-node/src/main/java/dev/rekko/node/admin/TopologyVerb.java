package dev.rekko.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code topology}: everything at once, as {@code GET /api/topology} has it. */
@Command(name = "topology", mixinStandardHelpOptions = true,
    header = "Shows the topology: epoch, groups and servers, slot runs, nodes.")
final class TopologyVerb extends Verb {
  @Override
  void run(AdminClient api) {
    JsonNode topology = api.get("/api/topology");
    show(topology, () -> ClusterViews.topology(topology, out()));
  }
}
