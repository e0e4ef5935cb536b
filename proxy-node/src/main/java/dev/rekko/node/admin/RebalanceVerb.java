package dev.rekko.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rebalance [--confirm]}: codis-admin's rebalance, plan first, applied on confirmation. */
@Command(name = "rebalance", mixinStandardHelpOptions = true,
    header = "Plans an even spread of the slots over the groups; applies it with --confirm.")
final class RebalanceVerb extends Verb {
  @Option(names = "--confirm", description = "Start the planned migrations (without it nothing changes).")
  boolean confirm;

  @Override
  void run(AdminClient api) {
    JsonNode plan = api.post("/api/rebalance?confirm=" + confirm, null);
    show(plan, () -> ReportViews.rebalance(plan, confirm, out()));
  }
}
