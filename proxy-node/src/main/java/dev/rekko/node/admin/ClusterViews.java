package dev.rekko.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Tables of the topology's parts: groups with their servers, nodes, and the whole topology. */
final class ClusterViews {
  private ClusterViews() {}

  /**
   * One line per server, the group's columns only on its first. {@code slotCounts} fills in the count
   * when the group objects do not carry one (those inside {@code /api/topology}). A server's health is the
   * quorum's, or this node's own marked {@code (node)}; its Redis role, offset and lag (a replica's bytes
   * behind its master) are what the quorum last heard from it.
   */
  static void groups(JsonNode groups, Map<Integer, Integer> slotCounts, PrintWriter out) {
    Table table = Table.withHeader("GROUP", "SLOTS", "REPLICA-READ", "SERVER", "ROLE", "HEALTH", "REDIS-ROLE",
        "OFFSET", "LAG", "DATACENTER", "VERSION");
    for (JsonNode group : groups) {
      int id = group.path("id").asInt();
      JsonNode given = group.path("slots");
      String slots = given.isNumber() ? given.asText()
          : given.isArray() ? Integer.toString(given.size()) // a list of slot ids, should the API grow one
          : Integer.toString(slotCounts.getOrDefault(id, 0));
      String name = group.path("switching").asBoolean() ? id + " (switching)" : Integer.toString(id);
      Object[] first = {name, slots, group.path("replicaRead").asBoolean() ? "on" : "off"};
      if (group.path("servers").isEmpty()) {
        table.row(first[0], first[1], first[2], "(no servers)");
      }
      for (JsonNode server : group.path("servers")) {
        JsonNode health = server.path("health");
        table.row(first[0], first[1], first[2],
            server.path("addr").asText(),
            server.path("role").asText("?").toLowerCase(Locale.ROOT),
            health(health, server.path("up")),
            orDash(health.path("role").asText()),
            health.path("offset").isNumber() ? health.path("offset").asText() : "-",
            lag(health),
            orDash(server.path("datacenter").asText()),
            orDash(server.path("redisVersion").asText()));
        first = new Object[] {"", "", ""};
      }
    }
    print(table, "(no groups)", out);
  }

  static void nodes(JsonNode nodes, PrintWriter out) {
    Table table = Table.withHeader("ADDRESS", "RESP", "HTTP", "STATE", "APPLIED-EPOCH");
    for (JsonNode node : nodes) {
      table.row(node.path("address").asText(), orDash(node.path("resp").asText()),
          orDash(node.path("http").asText()), node.path("state").asText("?"), node.path("appliedEpoch").asText("?"));
    }
    print(table, "(no nodes)", out);
  }

  static void topology(JsonNode topology, PrintWriter out) {
    out.printf("epoch %s, loaded %s, bootstrapped %s%n", topology.path("epoch").asText("?"),
        yesNo(topology.path("loaded")), yesNo(topology.path("bootstrapped")));
    out.println();
    groups(topology.path("groups"), slotCounts(topology.path("slots")), out);
    out.println();
    SlotRuns.print(topology.path("slots"), out);
    out.println();
    nodes(topology.path("nodes"), out);
  }

  /** Slots per owning group; a slot being migrated still counts for its source. */
  static Map<Integer, Integer> slotCounts(JsonNode slots) {
    Map<Integer, Integer> counts = new HashMap<>();
    for (JsonNode slot : slots) {
      int group = slot.path("group").asInt();
      if (group != 0) {
        counts.merge(group, 1, Integer::sum);
      }
    }
    return counts;
  }

  private static void print(Table table, String empty, PrintWriter out) {
    if (table.isEmpty()) {
      out.println(empty);
    } else {
      table.print(out);
    }
  }

  /**
   * A server's health: the quorum's status, or this node's marked {@code (node)}; from an API without
   * {@code health}, its {@code up} field. {@code ?} when nobody has checked it yet.
   */
  private static String health(JsonNode health, JsonNode up) {
    String status = health.path("status").asText("");
    if (!status.isEmpty()) {
      String shown = status.equals("unknown") ? "?" : status;
      return health.path("source").asText().equals("node") && !shown.equals("?") ? shown + " (node)" : shown;
    }
    if (up.isBoolean()) {
      return up.asBoolean() ? "up" : "down";
    }
    return "?";
  }

  /** A replica's lag in bytes, and whether its link to the master is down; {@code -} for a master or unknown. */
  private static String lag(JsonNode health) {
    JsonNode lag = health.path("lagBytes");
    if (!lag.isNumber()) {
      return "-";
    }
    return lag.asText() + (health.path("linkUp").isBoolean() && !health.path("linkUp").asBoolean()
        ? " (link down)" : "");
  }

  private static String yesNo(JsonNode flag) {
    return flag.isBoolean() ? (flag.asBoolean() ? "yes" : "no") : "?";
  }

  static String orDash(String text) {
    return text == null || text.isBlank() ? "-" : text;
  }
}
