package dev.rekko.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code slots [status|assign|migrate]}: the slot table; bare {@code slots} is {@code slots status}. */
@Command(name = "slots", mixinStandardHelpOptions = true,
    header = "Shows slot routes as runs; assigns offline slots to a group; migrates slots online.",
    subcommands = {SlotsVerb.Status.class, SlotsVerb.Assign.class, SlotsVerb.Migrate.class})
final class SlotsVerb extends Verb {
  @Override
  void run(AdminClient api) {
    Status.print(this, api, null);
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      header = "Shows the routes of all slots, one slot or a range, compressed into runs.")
  static final class Status extends Verb {
    @Parameters(arity = "0..1", paramLabel = "SLOT|FROM-TO", converter = Args.Slots.class,
        description = "One slot or a range; all 1024 when left out.")
    Args.SlotRange range;

    @Override
    void run(AdminClient api) {
      print(this, api, range);
    }

    static void print(Verb verb, AdminClient api, Args.SlotRange range) {
      JsonNode slots;
      if (range != null && range.from() == range.to()) {
        // one slot has its own resource; print it as a one-slot table like the others
        JsonNode slot = api.get("/api/slots/" + range.from());
        if (verb.json()) {
          verb.printJson(slot);
          return;
        }
        slots = AdminClient.MAPPER.createArrayNode().add(slot);
      } else {
        slots = within(api.get("/api/slots"), range);
      }
      JsonNode shown = slots;
      verb.show(shown, () -> SlotRuns.print(shown, verb.out()));
    }

    private static JsonNode within(JsonNode slots, Args.SlotRange range) {
      if (range == null) {
        return slots;
      }
      ArrayNode picked = AdminClient.MAPPER.createArrayNode();
      slots.forEach(s -> {
        if (range.contains(s.path("id").asInt(-1))) {
          picked.add(s);
        }
      });
      return picked;
    }
  }

  @Command(name = "assign", mixinStandardHelpOptions = true,
      header = "Gives offline slots to a group; no data moves.")
  static final class Assign extends ToGroup {
    Assign() {
      super("/api/slots/assign", what -> "slots " + what.range() + " assigned to group " + what.group());
    }
  }

  @Command(name = "migrate", mixinStandardHelpOptions = true,
      header = "Moves slots and their keys to a group online; follow with `migrations`.")
  static final class Migrate extends ToGroup {
    Migrate() {
      super("/api/slots/migrate", what -> "migration of slots " + what.range() + " to group " + what.group()
          + " requested; follow it with `migrations`");
    }
  }

  /** Slots and a group, posted to the node; prints what the node did and the slots' routes now. */
  abstract static class ToGroup extends Verb {
    @Parameters(arity = "2..*", paramLabel = "FROM TO GROUP|FROM-TO GROUP", hideParamSyntax = true,
        description = "Slots FROM..TO (both included) and the group; FROM-TO also works, or one slot.")
    List<String> args;

    private final String path;
    private final Function<Args.RangeToGroup, String> done;

    ToGroup(String path, Function<Args.RangeToGroup, String> done) {
      this.path = path;
      this.done = done;
    }

    @Override
    void run(AdminClient api) {
      Args.RangeToGroup what = Args.RangeToGroup.parse(spec, args);
      JsonNode answer = api.post(path, body(what));
      show(answer, () -> {
        out().println(done.apply(what));
        if (answer.path("slots").isArray()) {
          SlotRuns.print(answer.path("slots"), out());
        }
      });
    }
  }

  private static Map<String, Integer> body(Args.RangeToGroup what) {
    return Map.of("from", what.range().from(), "to", what.range().to(), "group", what.group());
  }
}
