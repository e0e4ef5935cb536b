package dev.rekko.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code migrations}: progress of the slot migrations, and pause, resume, throttle, cancel. */
@Command(name = "migrations", mixinStandardHelpOptions = true,
    header = "Shows slot migrations (active, pending, done, keys moved, keys/s, the slots in flight), "
        + "or changes them: pause, resume, cancel (the pending ones), throttle KEYS_PER_SECOND (0 = no cap).")
final class MigrationsVerb extends Verb {
  @Parameters(arity = "0..2", paramLabel = "ACTION", description = "pause | resume | cancel | throttle N")
  List<String> action = List.of();

  @Option(names = "--watch", description = "Print a progress line every second until nothing is left to move.")
  boolean watch;

  @Spec
  CommandSpec spec;

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  @Override
  void run(AdminClient api) {
    if (!action.isEmpty()) {
      JsonNode answer = switch (action.get(0)) {
        case "pause", "resume", "cancel" -> {
          if (action.size() != 1) {
            throw usage("migrations " + action.get(0) + " takes no argument");
          }
          yield api.post("/api/migrations/" + action.get(0), null);
        }
        case "throttle" -> {
          long rate = action.size() == 2 && action.get(1).matches("\\d{1,18}") ? Long.parseLong(action.get(1)) : -1;
          if (rate < 0) {
            throw usage("usage: migrations throttle KEYS_PER_SECOND (a whole number, 0 = no cap)");
          }
          yield api.post("/api/migrations/throttle", java.util.Map.of("maxKeysPerSecond", rate));
        }
        default -> throw usage("unknown action '" + action.get(0) + "': use pause, resume, cancel or throttle N");
      };
      show(answer, () -> out().println(answer.path("message").asText(AdminClient.pretty(answer))));
      return;
    }
    JsonNode first = api.get("/api/migrations");
    if (!watch) {
      show(first, () -> ReportViews.summary(first, out()));
      return;
    }
    JsonNode migrations = first;
    while (true) {
      out().print("\r" + progressLine(migrations));
      out().flush();
      if (migrations.path("active").asInt() + migrations.path("pending").asInt() == 0) {
        out().println();
        return;
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out().println();
        return;
      }
      migrations = api.get("/api/migrations");
    }
  }

  /** {@code active 12  pending 100  done 300  keys 1204000  48211 keys/s  ETA 25 s}. */
  static String progressLine(JsonNode m) {
    long eta = m.path("etaSeconds").asLong(-1);
    return String.format("active %d  pending %d  done %d  keys moved %d  %d keys/s  ETA %s%s   ",
        m.path("active").asInt(), m.path("pending").asInt(), m.path("done").asInt(), m.path("keysMoved").asLong(),
        Math.round(m.path("keysPerSecond").asDouble()), eta < 0 ? "?" : eta + " s",
        m.path("paused").asBoolean() ? "  (paused)" : "");
  }
}
