package dev.rekko.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rebalance plan, migration progress and node stats. Migrations and stats are still growing on the
 * server side, so they are rendered from whatever fields arrive: scalars as they are, the arrays the
 * CLI knows (slots, commands, backends) as tables, anything else as a count or as JSON.
 */
final class ReportViews {
  private static final int TOP_COMMANDS = 10;

  private ReportViews() {}

  static void rebalance(JsonNode plan, boolean confirmed, PrintWriter out) {
    TreeSet<Integer> groups = new TreeSet<>();
    plan.path("before").fieldNames().forEachRemaining(g -> groups.add(Integer.parseInt(g)));
    plan.path("after").fieldNames().forEachRemaining(g -> groups.add(Integer.parseInt(g)));
    Table counts = Table.withHeader("GROUP", "SLOTS");
    for (int g : groups) {
      String key = Integer.toString(g);
      counts.row(g, plan.path("before").path(key).asInt() + " -> " + plan.path("after").path(key).asInt());
    }
    counts.print(out);
    out.println();

    // slots per from -> to, in order, so that a move of 88 contiguous slots is one line
    Map<List<Integer>, List<Integer>> moves = new TreeMap<>(
        Comparator.<List<Integer>>comparingInt(k -> k.get(0)).thenComparingInt(k -> k.get(1)));
    for (JsonNode move : plan.path("moves")) {
      moves.computeIfAbsent(List.of(move.path("from").asInt(), move.path("to").asInt()), k -> new ArrayList<>())
          .add(move.path("slot").asInt());
    }
    if (moves.isEmpty()) {
      out.println("balanced already: nothing to move");
      return;
    }
    Table table = Table.plain();
    moves.forEach((fromTo, slots) -> {
      slots.sort(null);
      table.row("group " + fromTo.get(0) + " -> " + fromTo.get(1), slots.size() + " slot(s)", SlotRuns.ranges(slots));
    });
    out.println(plan.path("moves").size() + " slot move(s):");
    table.print(out);
    out.println();
    out.println(confirmed
        ? "confirmed: the moves were handed to the coordinator; follow them with `migrations`"
        : "plan only, nothing changed: run `rebalance --confirm` to apply it");
  }

  /** A summary of any JSON object: one line per field, known arrays as tables after it. */
  static void summary(JsonNode answer, PrintWriter out) {
    if (!answer.isObject()) {
      out.println(AdminClient.pretty(answer));
      return;
    }
    Table lines = Table.plain();
    List<Runnable> after = new ArrayList<>();
    answer.fields().forEachRemaining(field -> {
      String name = field.getKey();
      JsonNode value = field.getValue();
      if (value.isValueNode() || value.isNull()) {
        lines.row(name, value.asText());
      } else if (value.isObject()) {
        lines.row(name, scalars(value));
      } else if (name.equals("slots") && value.path(0).has("id")) {
        lines.row(name, value.size());
        after.add(() -> SlotRuns.print(value, out));
      } else if (name.equals("commands") && value.path(0).has("calls")) {
        lines.row(name, value.size());
        after.add(() -> commands(value, out));
      } else if (name.equals("backends") && value.path(0).has("server")) {
        lines.row(name, value.size());
        after.add(() -> backends(value, out));
      } else {
        lines.row(name, value.size() + " entries (see --json)");
      }
    });
    lines.print(out);
    for (Runnable table : after) {
      out.println();
      table.run();
    }
  }

  /** An object's scalar fields on one line, {@code total 12, fails 0, qps 3}; nested ones as a count. */
  private static String scalars(JsonNode object) {
    StringJoiner line = new StringJoiner(", ");
    object.fields().forEachRemaining(f -> line.add(f.getKey() + " " + (f.getValue().isContainerNode()
        ? "[" + f.getValue().size() + "]"
        : f.getValue().asText())));
    return line.toString();
  }

  private static void commands(JsonNode commands, PrintWriter out) {
    List<JsonNode> busiest = new ArrayList<>();
    commands.forEach(busiest::add);
    busiest.sort(Comparator.comparingLong((JsonNode c) -> c.path("calls").asLong()).reversed());
    Table table = Table.withHeader("COMMAND", "CALLS", "FAILS", "USEC/CALL", "P99-USEC");
    busiest.stream().limit(TOP_COMMANDS).forEach(c -> table.row(c.path("name").asText(), c.path("calls").asText(),
        c.path("fails").asText("-"), c.path("usecPerCall").asText("-"), c.path("p99Usec").asText("-")));
    table.print(out);
    if (busiest.size() > TOP_COMMANDS) {
      out.println("(" + (busiest.size() - TOP_COMMANDS) + " more, see --json)");
    }
  }

  private static void backends(JsonNode backends, PrintWriter out) {
    Table table = Table.withHeader("BACKEND", "DB", "UP", "IN-FLIGHT", "LAST-ERROR");
    for (JsonNode b : backends) {
      table.row(b.path("server").asText(), b.path("database").asText("-"),
          b.path("up").isBoolean() ? (b.path("up").asBoolean() ? "up" : "down") : "?",
          b.path("inFlight").asText("-"), ClusterViews.orDash(b.path("lastError").asText()));
    }
    table.print(out);
  }
}
