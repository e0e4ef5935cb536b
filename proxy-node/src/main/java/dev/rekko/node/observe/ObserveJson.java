package dev.rekko.node.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rekko.node.http.ClusterFetch.NodeAnswer;
import dev.rekko.protocol.SlotHash;
import dev.rekko.topology.Topology;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON of {@link ObserveRoutes}: one node's views, and their merge over the cluster. */
final class ObserveJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ObserveJson() {}

  static ObjectNode slowLog(SlowLog log, int count) {
    ObjectNode o = F.objectNode();
    o.put("len", log.len()).put("maxLen", log.maxLen()).put("slowerThanUsec", log.slowerThan());
    ArrayNode entries = o.putArray("entries");
    for (SlowLog.Entry e : log.newest(count)) {
      ObjectNode j = entries.addObject();
      j.put("id", e.id()).put("time", e.unixSeconds()).put("durationUsec", e.durationMicros());
      ArrayNode args = j.putArray("args");
      for (byte[] a : e.args()) {
        args.add(KeyText.of(a));
      }
      j.put("client", e.client()).put("clientName", KeyText.of(e.clientName().getBytes(StandardCharsets.ISO_8859_1)))
          .put("backend", e.backend());
    }
    return o;
  }

  /** The cluster's slow logs: lengths added, entries of all nodes newest first, each with its node. */
  static ObjectNode slowLogs(ObjectNode own, List<NodeAnswer> answers, int count) {
    ObjectNode o = F.objectNode();
    long len = 0;
    List<ObjectNode> entries = new ArrayList<>();
    for (NodeAnswer a : answers) {
      if (a.body().isEmpty()) {
        continue;
      }
      JsonNode body = a.body().get();
      len += body.path("len").asLong();
      body.path("entries").forEach(e -> entries.add(((ObjectNode) e.deepCopy()).put("node", a.address())));
    }
    entries.sort(Comparator.<ObjectNode>comparingLong(e -> e.path("time").asLong()).reversed());
    o.put("len", len).set("maxLen", own.get("maxLen"));
    o.set("slowerThanUsec", own.get("slowerThanUsec"));
    o.putArray("entries").addAll(entries.subList(0, Math.min(count, entries.size())));
    o.set("errors", errors(answers));
    return o;
  }

  /** {@code hot} null = hot keys are off: no keys. */
  static ObjectNode hotKeys(HotKeys hot, Topology t, int count, double rate) {
    ObjectNode o = F.objectNode();
    ArrayNode keys = o.putArray("keys");
    if (hot != null) {
      for (HotKeys.Row r : hot.top(count)) {
        addKey(keys, r.key(), r.count(), t);
      }
    }
    o.put("sampleRate", rate).put("enabled", hot != null);
    return o;
  }

  /** The cluster's hot keys: each key's counts added over the nodes, most frequent first. */
  static ObjectNode hotKeysMerged(List<NodeAnswer> answers, Topology t, int count, double rate) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (NodeAnswer a : answers) {
      a.body().ifPresent(b -> b.path("keys").forEach(k ->
          counts.merge(k.path("key").asText(), k.path("count").asLong(), Long::sum)));
    }
    ObjectNode o = F.objectNode();
    ArrayNode keys = o.putArray("keys");
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(count)
        .forEach(e -> addKey(keys, e.getKey(), e.getValue(), t));
    o.put("sampleRate", rate);
    o.set("errors", errors(answers));
    return o;
  }

  private static void addKey(ArrayNode keys, String key, long count, Topology t) {
    int slot = SlotHash.slot(KeyText.bytes(key));
    keys.addObject().put("key", key).put("count", count).put("slot", slot).put("group", t.slot(slot).group());
  }

  static ObjectNode bigKeys(BigKeys big) {
    ObjectNode o = F.objectNode();
    o.put("thresholdBytes", big.thresholdBytes());
    ArrayNode keys = o.putArray("keys");
    for (BigKeys.Record r : big.newest()) {
      keys.addObject().put("key", r.key()).put("command", r.command()).put("bytes", r.bytes())
          .put("direction", r.direction().label()).put("time", r.epochMillis());
    }
    o.put("requests", big.bigKeys(BigKeys.Direction.REQUEST)).put("replies", big.bigKeys(BigKeys.Direction.REPLY));
    return o;
  }

  /** The cluster's big keys: every node's, newest first, each with its node. */
  static ObjectNode bigKeysMerged(BigKeys own, List<NodeAnswer> answers) {
    List<ObjectNode> keys = new ArrayList<>();
    for (NodeAnswer a : answers) {
      a.body().ifPresent(b -> b.path("keys").forEach(k -> keys.add(((ObjectNode) k.deepCopy()).put("node", a.address()))));
    }
    keys.sort(Comparator.<ObjectNode>comparingLong(k -> k.path("time").asLong()).reversed());
    ObjectNode o = F.objectNode();
    o.put("thresholdBytes", own.thresholdBytes());
    o.putArray("keys").addAll(keys);
    o.set("errors", errors(answers));
    return o;
  }

  private static ArrayNode errors(List<NodeAnswer> answers) {
    ArrayNode errors = F.arrayNode();
    for (NodeAnswer a : answers) {
      a.error().ifPresent(e -> errors.addObject().put("address", a.address()).put("http", a.http()).put("error", e));
    }
    return errors;
  }
}
