package dev.rekko.node.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.List;

/** Canned {@code GET /api/topology} answers, shaped like the nodes' HTTP API. */
public final class TopologyJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TopologyJson() {}

  /** Loaded, every slot ONLINE at group 1 or 2, {@code nodes} nodes all UP. */
  public static String ready(int nodes, long epoch) {
    return of(true, epoch, 0, states(nodes, "UP"));
  }

  public static String notLoaded() {
    return of(false, 0, 1024, List.of());
  }

  /** {@code nodeStates} lists one state per node, node i on cluster port 2551 + i. */
  public static String of(boolean loaded, long epoch, int offlineSlots, List<String> nodeStates) {
    ObjectNode root = JSON.createObjectNode();
    root.put("epoch", epoch);
    root.put("loaded", loaded);
    root.put("bootstrapped", loaded);
    ArrayNode groups = root.putArray("groups");
    groups.addObject().put("id", 1);
    groups.addObject().put("id", 2);
    ArrayNode slots = root.putArray("slots");
    for (int s = 0; s < 1024; s++) {
      boolean offline = s >= 1024 - offlineSlots;
      slots.addObject().put("id", s).put("state", offline ? "OFFLINE" : "ONLINE")
          .put("group", offline ? 0 : s < 512 ? 1 : 2).put("target", 0).put("epoch", epoch);
    }
    ArrayNode nodes = root.putArray("nodes");
    for (int i = 0; i < nodeStates.size(); i++) {
      nodes.addObject().put("address", "pekko://rekko@127.0.0.1:" + (2551 + i))
          .put("resp", "127.0.0.1:" + (19000 + i)).put("http", "127.0.0.1:" + (11080 + i))
          .put("state", nodeStates.get(i)).put("appliedEpoch", epoch);
    }
    return root.toString();
  }

  public static List<String> states(int nodes, String state) {
    return Collections.nCopies(nodes, state);
  }
}
