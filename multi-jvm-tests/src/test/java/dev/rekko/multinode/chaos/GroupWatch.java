package dev.rekko.multinode.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a group's master from the nodes' HTTP API ({@code GET /api/groups/{id}}), as an operator's
 * script does: the server whose {@code role} is {@code MASTER}, and whether the group is
 * {@code switching} (its commands held while its master changes).
 */
final class GroupWatch {
  private final ChaosCluster cluster;

  GroupWatch(ChaosCluster cluster) {
    this.cluster = cluster;
  }

  /** Group {@code id} as {@code node} shows it; empty when the node does not answer. */
  Optional<JsonNode> group(ChaosNode node, int id) throws InterruptedException {
    try {
      return Optional.of(cluster.api(node).get("/api/groups/" + id));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The slots {@code node} shows ONLINE at group {@code id}. */
  java.util.Set<Integer> onlineSlots(ChaosNode node, int id) throws IOException, InterruptedException {
    java.util.Set<Integer> slots = new java.util.TreeSet<>();
    for (JsonNode s : cluster.api(node).get("/api/slots")) {
      if (s.path("group").asInt() == id && s.path("state").asText().equals("ONLINE")) {
        slots.add(s.path("id").asInt());
      }
    }
    return slots;
  }

  /** The address of the group's master in {@code group}'s JSON; empty when it has none. */
  static Optional<String> masterIn(JsonNode group) {
    for (JsonNode s : group.path("servers")) {
      if (s.path("role").asText().equalsIgnoreCase("master")) {
        return Optional.of(s.path("addr").asText());
      }
    }
    return Optional.empty();
  }

  /** The addresses of the group's replicas in {@code group}'s JSON. */
  static List<String> replicasIn(JsonNode group) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : group.path("servers")) {
      if (s.path("role").asText().equalsIgnoreCase("replica")) {
        out.add(s.path("addr").asText());
      }
    }
    return out;
  }

  /**
   * The master every serving node names for group {@code id}, with no node showing the group
   * switching; empty while they disagree, one does not answer or the switch is under way.
   */
  Optional<String> settledMaster(int id) throws InterruptedException {
    String agreed = null;
    List<ChaosNode> serving = cluster.serving();
    if (serving.isEmpty()) {
      return Optional.empty();
    }
    for (ChaosNode n : serving) {
      Optional<JsonNode> g = group(n, id);
      if (g.isEmpty() || g.get().path("switching").asBoolean(false)) {
        return Optional.empty();
      }
      Optional<String> m = masterIn(g.get());
      if (m.isEmpty() || (agreed != null && !agreed.equals(m.get()))) {
        return Optional.empty();
      }
      agreed = m.get();
    }
    return Optional.ofNullable(agreed);
  }

  /** Waits until every serving node names the same master of group {@code id}, not switching. */
  String awaitSettledMaster(int id, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      Optional<String> m = settledMaster(id);
      if (m.isPresent()) {
        return m.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the nodes did not agree on a master of group " + id + " within "
            + max.toSeconds() + " s: " + describe(id) + "\n" + cluster.logs());
      }
      Thread.sleep(100);
    }
  }

  /**
   * Waits until every serving node names a master of group {@code id} other than {@code old}, not
   * switching; returns it.
   */
  String awaitNewMaster(int id, String old, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      Optional<String> m = settledMaster(id);
      if (m.isPresent() && !m.get().equals(old)) {
        return m.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("group " + id + " still has no master but " + old + " on every node "
            + max.toSeconds() + " s later: " + describe(id) + "\n" + cluster.logs());
      }
      Thread.sleep(100);
    }
  }

  /** Group {@code id} as each node shows it, for reports and failures. */
  String describe(int id) throws InterruptedException {
    StringBuilder sb = new StringBuilder();
    for (ChaosNode n : cluster.nodes()) {
      sb.append("\n  node ").append(n.index()).append(": ");
      if (!n.alive() || n.frozen()) {
        sb.append(n.alive() ? "(frozen)" : "(not running)");
        continue;
      }
      sb.append(group(n, id).map(JsonNode::toString).orElse("(no answer)"));
    }
    return sb.toString();
  }
}
