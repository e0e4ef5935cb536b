package dev.rekko.node.consistency;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/** What the clients did, counted from many threads at once. */
final class RunStats {
  final LongAdder ops = new LongAdder();
  final LongAdder acked = new LongAdder();
  final LongAdder inDoubt = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder reconnects = new LongAdder();
  private final Map<String, LongAdder> errorReplies = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> opsPerEndpoint = new ConcurrentHashMap<>();
  /** Client threads that died of something unexpected: a bug in the checker or the client library. */
  final ConcurrentLinkedQueue<String> clientFailures = new ConcurrentLinkedQueue<>();

  void op(String endpoint) {
    ops.increment();
    opsPerEndpoint.computeIfAbsent(endpoint, e -> new LongAdder()).increment();
  }

  void errorReply(String text) {
    errorReplies.computeIfAbsent(text, t -> new LongAdder()).increment();
  }

  Map<String, Long> errorReplies() {
    return snapshot(errorReplies);
  }

  Map<String, Long> opsPerEndpoint() {
    return snapshot(opsPerEndpoint);
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
    Map<String, Long> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
