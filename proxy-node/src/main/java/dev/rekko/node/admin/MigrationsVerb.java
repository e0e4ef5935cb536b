package dev.rekko.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code migrations}: progress of the slot migrations. */
@Command(name = "migrations", mixinStandardHelpOptions = true,
    header = "Shows slot migrations: active, pending, done, keys moved, keys/s, the slots in flight.")
final class MigrationsVerb extends Verb {
  @Override
  void run(AdminClient api) {
    JsonNode migrations = api.get("/api/migrations");
    show(migrations, () -> ReportViews.summary(migrations, out()));
  }
}
