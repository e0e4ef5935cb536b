package dev.rekko.node.proxy;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The parameters CONFIG SET may change through Rekko: those that shape how data behaves, which must be
 * alike on every server so that a key behaves the same whichever group holds it (encoding thresholds,
 * lazy freeing, keyspace events, the script time limit). Everything else is a per-server setting
 * (memory, persistence, replication, networking, security, diagnostics such as the slow log, active
 * defragmentation of each server's allocator) that operators set on each Redis server.
 */
final class ConfigParameters {
  /** Redis 7.0's names; the {@code set-max-listpack-*} ones are Redis 7.2's (a 7.0 server says unknown). */
  static final Set<String> ALLOWED = Set.of(
      "hash-max-listpack-entries", "hash-max-listpack-value", "hash-max-ziplist-entries", "hash-max-ziplist-value",
      "list-max-listpack-size", "list-max-ziplist-size", "list-compress-depth",
      "set-max-intset-entries", "set-max-listpack-entries", "set-max-listpack-value",
      "zset-max-listpack-entries", "zset-max-listpack-value", "zset-max-ziplist-entries", "zset-max-ziplist-value",
      "stream-node-max-bytes", "stream-node-max-entries", "hll-sparse-max-bytes",
      "lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del", "lazyfree-lazy-user-del",
      "lazyfree-lazy-user-flush", "notify-keyspace-events", "busy-reply-threshold", "lua-time-limit");

  /** Redis 7.0's aliases, by the name they stand for: the node remembers one value per parameter. */
  private static final Map<String, String> ALIASES = Map.of(
      "hash-max-ziplist-entries", "hash-max-listpack-entries",
      "hash-max-ziplist-value", "hash-max-listpack-value",
      "list-max-ziplist-size", "list-max-listpack-size",
      "zset-max-ziplist-entries", "zset-max-listpack-entries",
      "zset-max-ziplist-value", "zset-max-listpack-value",
      "lua-time-limit", "busy-reply-threshold");

  private ConfigParameters() {}

  static boolean allowed(String name) {
    return ALLOWED.contains(name.toLowerCase(Locale.ROOT));
  }

  /** The name the node remembers a value under: lower case, aliases resolved. */
  static String canonical(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return ALIASES.getOrDefault(lower, lower);
  }

  /** Whether Redis cannot know {@code name}: a glob character would make CONFIG GET match others. */
  static boolean isPattern(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == '\\') {
        return true;
      }
    }
    return false;
  }

  /** Redis 7.0's answer to CONFIG SET of a parameter it does not know. */
  static String unknown(String name) {
    return "ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'";
  }

  /** Rekko's answer to CONFIG SET of a parameter Redis knows and Rekko does not let clients change. */
  static String refused(String name) {
    return "ERR CONFIG SET '" + name + "' is not allowed through Rekko: it is a per-server setting;"
        + " operators set it on each Redis server";
  }
}
