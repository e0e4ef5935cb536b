package dev.rekko.multinode.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a migration's progress from the nodes' HTTP API: whether a slot range is done on every serving
 * node, and, when it is not, where each slot stands (the evidence a stuck migration leaves).
 */
final class SlotWatch {
  private final ChaosCluster cluster;
  private final int from;
  private final int to;
  private final int target;

  SlotWatch(ChaosCluster cluster, int from, int to, int target) {
    this.cluster = cluster;
    this.from = from;
    this.to = to;
    this.target = target;
  }

  /**
   * Done when every serving node routes the whole range ONLINE at the target and reports no slot
   * pending or active in {@code GET /api/migrations}. A node that does not answer is not done.
   */
  boolean done() throws InterruptedException {
    List<ChaosNode> serving = cluster.serving();
    if (serving.isEmpty()) {
      return false;
    }
    try {
      for (ChaosNode n : serving) {
        NodeApi api = cluster.api(n);
        if (!stateCounts(api.get("/api/slots")).equals(Map.of("ONLINE@" + target, to - from + 1))) {
          return false;
        }
        JsonNode m = api.get("/api/migrations");
        if (m.path("active").asInt(-1) != 0 || m.path("pending").asInt(-1) != 0) {
          return false;
        }
      }
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** How many slots of the range are in each state, from one node's {@code GET /api/slots}. */
  Map<String, Integer> stateCounts(JsonNode slots) {
    Map<String, Integer> counts = new TreeMap<>();
    for (JsonNode s : slots) {
      int id = s.path("id").asInt();
      if (id >= from && id <= to) {
        counts.merge(name(s), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** Slots of the range past their barrier (MIGRATING, FINISHED or ONLINE at the target) as {@code node} sees them. */
  int pastBarrier(ChaosNode node) throws InterruptedException {
    try {
      int n = 0;
      for (Map.Entry<String, Integer> e : stateCounts(cluster.api(node).get("/api/slots")).entrySet()) {
        if (e.getKey().startsWith("MIGRATING") || e.getKey().startsWith("FINISHED")
            || e.getKey().equals("ONLINE@" + target)) {
          n += e.getValue();
        }
      }
      return n;
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  /**
   * The runs of consecutive slots of the range that {@code node} shows ONLINE at another group than
   * the target (not asked to move yet), as {@code {from, to}}; null when the node does not answer.
   */
  List<int[]> notStarted(ChaosNode node) throws InterruptedException {
    JsonNode slots;
    try {
      slots = cluster.api(node).get("/api/slots");
    } catch (java.io.IOException e) {
      return null;
    }
    List<int[]> runs = new ArrayList<>();
    for (JsonNode s : slots) {
      int id = s.path("id").asInt();
      String n = name(s);
      if (id >= from && id <= to && n.startsWith("ONLINE@") && !n.equals("ONLINE@" + target)) {
        int[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
        if (last != null && last[1] == id - 1) {
          last[1] = id;
        } else {
          runs.add(new int[] {id, id});
        }
      }
    }
    return runs;
  }

  /** The range's state counts as {@code node} sees them, or why it cannot tell. */
  String snapshot(ChaosNode node) throws InterruptedException {
    try {
      return stateCounts(cluster.api(node).get("/api/slots")).toString();
    } catch (java.io.IOException e) {
      return "(node " + node.index() + " did not answer: " + e.getMessage() + ")";
    }
  }

  /**
   * Each serving node's state counts, a sample of its slots that are not done (with epochs), and its
   * {@code /api/migrations} counters and movers: what to read the node logs against.
   */
  String describe() throws InterruptedException {
    StringBuilder sb = new StringBuilder();
    for (ChaosNode n : cluster.nodes()) {
      sb.append("\n  node ").append(n.index()).append(n.alive() ? "" : " (not running)")
          .append(n.frozen() ? " (frozen)" : "").append(": ");
      if (!n.alive() || n.frozen()) {
        continue;
      }
      try {
        NodeApi api = cluster.api(n);
        JsonNode slots = api.get("/api/slots");
        sb.append(stateCounts(slots));
        List<String> stuck = new ArrayList<>();
        for (JsonNode s : slots) {
          int id = s.path("id").asInt();
          if (id >= from && id <= to && !name(s).equals("ONLINE@" + target) && stuck.size() < 12) {
            stuck.add(s.toString());
          }
        }
        if (!stuck.isEmpty()) {
          sb.append("\n    not done, e.g.: ").append(String.join(" ", stuck));
        }
        JsonNode m = api.get("/api/migrations");
        sb.append("\n    migrations: active=").append(m.path("active")).append(" pending=")
            .append(m.path("pending")).append(" done=").append(m.path("done"))
            .append(" keysMoved=").append(m.path("keysMoved")).append(" paused=").append(m.path("paused"));
        for (JsonNode mover : m.path("movers")) {
          sb.append("\n    mover of group ").append(mover.path("group")).append(": walking=")
              .append(mover.path("walking")).append(" walks=").append(mover.path("walks"))
              .append(" keysMoved=").append(mover.path("keysMoved")).append(" leaving=")
              .append(mover.path("leaving").size()).append(" lastError=").append(mover.path("lastError"));
        }
      } catch (java.io.IOException e) {
        sb.append("did not answer: ").append(e.getMessage());
      }
    }
    return sb.toString();
  }

  /** {@code ONLINE@2}, {@code MIGRATING 1->2}, ... */
  private static String name(JsonNode s) {
    String state = s.path("state").asText();
    return state.equals("ONLINE") || state.equals("OFFLINE")
        ? state + "@" + s.path("group").asInt()
        : state + " " + s.path("group").asInt() + "->" + s.path("target").asInt();
  }
}
