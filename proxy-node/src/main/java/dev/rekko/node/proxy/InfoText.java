package dev.rekko.node.proxy;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;

/**
 * The text of INFO: the node's own sections plus the keyspace summed over every group. Sections are
 * chosen as Redis 7.0 chooses them: any number of names, any case, {@code default}, {@code all} and
 * {@code everything} meaning every section, none meaning {@code default}, unknown names ignored; they
 * come out in the fixed order below, separated by a blank line.
 */
final class InfoText {
  private static final Set<String> EVERY = Set.of("default", "all", "everything");

  private InfoText() {}

  /** The sections INFO's arguments name, lower case; {@code default} when none. */
  static Set<String> sections(dev.rekko.protocol.Args cmd) {
    Set<String> sections = new java.util.HashSet<>();
    for (int i = 1; i < cmd.argc(); i++) {
      String name = new String(cmd.array(i), cmd.offset(i), cmd.length(i),
          java.nio.charset.StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT);
      sections.add(EVERY.contains(name) ? "default" : name);
    }
    if (sections.isEmpty()) {
      sections.add("default");
    }
    return sections;
  }

  static boolean wantsKeyspace(Set<String> sections) {
    return sections.contains("default") || sections.contains("keyspace");
  }

  /** Adds one server's {@code INFO keyspace} lines ({@code db0:keys=1,expires=0,avg_ttl=0}) to {@code sums}. */
  static void sumKeyspace(String text, Map<String, long[]> sums) {
    for (String line : text.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (!line.startsWith("db") || colon < 0) {
        continue;
      }
      long keys = 0;
      long expires = 0;
      long avgTtl = 0;
      for (String field : line.substring(colon + 1).split(",")) {
        String[] kv = field.split("=", 2);
        if (kv.length == 2) {
          long v = parse(kv[1]);
          switch (kv[0]) {
            case "keys" -> keys = v;
            case "expires" -> expires = v;
            case "avg_ttl" -> avgTtl = v;
            default -> { }
          }
        }
      }
      long[] sum = sums.computeIfAbsent(line.substring(0, colon), k -> new long[3]);
      sum[0] += keys;
      sum[1] += expires;
      sum[2] += avgTtl * expires;
    }
  }

  static String render(Session s, Set<String> sections, Map<String, long[]> keyspace) {
    boolean all = sections.contains("default");
    StringBuilder sb = new StringBuilder(512);
    if (all || sections.contains("server")) {
      long uptime = (System.currentTimeMillis() - s.ctx().startMillis) / 1000;
      sb.append("# Server\r\n")
          .append("redis_version:").append(LocalCommands.REDIS_VERSION).append("\r\n")
          .append("redis_mode:standalone\r\n")
          .append("rekko_version:").append(version()).append("\r\n")
          .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
          .append("tcp_port:").append(s.ctx().proxy.port()).append("\r\n")
          .append("uptime_in_seconds:").append(uptime).append("\r\n")
          .append("uptime_in_days:").append(uptime / 86400).append("\r\n");
    }
    if (all || sections.contains("clients")) {
      separate(sb).append("# Clients\r\n")
          .append("connected_clients:").append(s.ctx().clients()).append("\r\n")
          .append("maxclients:").append(s.ctx().proxy.maxClients()).append("\r\n");
    }
    if (all || sections.contains("memory")) {
      Runtime rt = Runtime.getRuntime();
      ClientMemory m = s.ctx().memory;
      separate(sb).append("# Memory\r\n")
          .append("used_memory:").append(rt.totalMemory() - rt.freeMemory()).append("\r\n")
          .append("used_memory_peak:").append(HeapWatch.peakUsed()).append("\r\n")
          .append("used_memory_live_peak:").append(HeapWatch.peakLive()).append("\r\n")
          .append("maxmemory:").append(rt.maxMemory()).append("\r\n")
          .append("mem_clients_normal:").append(m.used()).append("\r\n")
          .append("maxmemory_clients:").append(m.budget()).append("\r\n")
          .append("client_reads_paused:").append(m.paused() ? 1 : 0).append("\r\n");
    }
    if (all || sections.contains("stats")) {
      ClientMemory m = s.ctx().memory;
      separate(sb).append("# Stats\r\n")
          .append("evicted_clients:").append(m.evictedClients.get()).append("\r\n")
          .append("client_output_buffer_limit_disconnections:").append(m.outputLimitDisconnections.get()).append("\r\n")
          .append("client_query_buffer_limit_disconnections:").append(m.queryLimitDisconnections.get()).append("\r\n");
    }
    if (all || sections.contains("proxy")) {
      RoutingTable table = s.ctx().router.loaded();
      separate(sb).append("# Proxy\r\n")
          .append("router_online:").append(table != null ? 1 : 0).append("\r\n")
          .append("fenced:").append(s.ctx().router.fenced() ? 1 : 0).append("\r\n")
          .append("topology_epoch:").append(table == null ? 0 : table.epoch()).append("\r\n")
          .append("groups:").append(table == null ? 0 : table.masters().size()).append("\r\n")
          .append("threads:").append(ManagementFactory.getThreadMXBean().getThreadCount()).append("\r\n");
    }
    if (wantsKeyspace(sections)) {
      separate(sb).append("# Keyspace\r\n");
      keyspace.forEach((db, v) -> sb.append(db).append(":keys=").append(v[0]).append(",expires=").append(v[1])
          .append(",avg_ttl=").append(v[1] == 0 ? 0 : v[2] / v[1]).append("\r\n"));
    }
    return sb.toString();
  }

  /** Redis puts a blank line between sections, none after the last. */
  private static StringBuilder separate(StringBuilder sb) {
    return sb.length() == 0 ? sb : sb.append("\r\n");
  }

  static String version() {
    String v = InfoText.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static long parse(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
