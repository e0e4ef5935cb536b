package dev.rekko.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code stats}: the statistics of the node that answers (not of the cluster). */
@Command(name = "stats", mixinStandardHelpOptions = true,
    header = "Shows the answering node's stats: ops, qps, sessions, busiest commands, backends.")
final class StatsVerb extends Verb {
  @Override
  void run(AdminClient api) {
    JsonNode stats = api.get("/api/stats");
    show(stats, () -> ReportViews.summary(stats, out()));
  }
}
