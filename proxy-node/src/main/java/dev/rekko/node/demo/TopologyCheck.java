package dev.rekko.node.demo;

import dev.rekko.protocol.SlotHash;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Reads one node's {@code GET /api/topology} answer and says what keeps it from being part of a
 * ready demo: its topology loaded, all 1024 slots given to a group (the coordinator seeded them from
 * {@code rekko.bootstrap.groups}), and the expected number of nodes, all {@code UP}. That every node
 * is at the same epoch can only be judged across nodes, by {@link ClusterReadiness}.
 */
public final class TopologyCheck {

  private TopologyCheck() {}

  /** What this answer lacks; empty when it is ready. */
  public static List<String> problems(JsonNode topology, int expectedNodes) {
    List<String> problems = new ArrayList<>();
    if (!topology.path("loaded").asBoolean(false)) {
      // Nothing else in an unloaded topology means anything yet.
      problems.add("not loaded");
      return problems;
    }
    int assigned = 0;
    for (JsonNode slot : topology.path("slots")) {
      if (!"OFFLINE".equals(upper(slot.path("state").asText("OFFLINE")))) {
        assigned++;
      }
    }
    if (assigned < SlotHash.SLOTS) {
      problems.add((SlotHash.SLOTS - assigned) + " of " + SlotHash.SLOTS + " slots OFFLINE");
    }
    JsonNode nodes = topology.path("nodes");
    if (nodes.size() < expectedNodes) {
      problems.add("sees " + nodes.size() + " of " + expectedNodes + " nodes");
    } else if (nodes.size() > expectedNodes) {
      problems.add("sees " + nodes.size() + " nodes, expects " + expectedNodes);
    }
    List<String> notUp = new ArrayList<>();
    for (JsonNode node : nodes) {
      String state = upper(node.path("state").asText("?"));
      if (!state.equals("UP")) {
        notUp.add(name(node) + " " + state);
      }
    }
    if (!notUp.isEmpty()) {
      problems.add("not UP: " + String.join(", ", notUp));
    }
    return problems;
  }

  /** The topology's epoch, when it has one. */
  public static OptionalLong epoch(JsonNode topology) {
    JsonNode epoch = topology.path("epoch");
    return epoch.canConvertToLong() ? OptionalLong.of(epoch.asLong()) : OptionalLong.empty();
  }

  private static String name(JsonNode node) {
    for (String field : List.of("address", "resp", "http")) {
      if (node.hasNonNull(field)) {
        return node.get(field).asText();
      }
    }
    return "a node";
  }

  private static String upper(String s) {
    return s.toUpperCase(Locale.ROOT);
  }
}
