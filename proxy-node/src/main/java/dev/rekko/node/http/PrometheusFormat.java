package dev.rekko.node.http;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.node.stats.BackendStatus;
import dev.rekko.node.stats.StatsSnapshot;
import dev.rekko.node.stats.StatsSnapshot.CommandSnapshot;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.Topology;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Renders a {@link StatsSnapshot} in the Prometheus text exposition format 0.0.4. */
public final class PrometheusFormat {
  private PrometheusFormat() {}

  public static String render(StatsSnapshot s) {
    StringBuilder out = new StringBuilder(4096);
    header(out, "rekko_commands_total", "counter", "Commands handled, by command name.");
    for (CommandSnapshot c : s.commands()) {
      sample(out, "rekko_commands_total", "command", c.name(), c.calls());
    }
    header(out, "rekko_command_errors_total", "counter", "Commands answered with an error, by command name.");
    for (CommandSnapshot c : s.commands()) {
      sample(out, "rekko_command_errors_total", "command", c.name(), c.fails());
    }
    header(out, "rekko_command_latency_seconds", "summary",
        "Command latency; quantiles over the last one to two minutes, sum and count since start.");
    for (CommandSnapshot c : s.commands()) {
      quantile(out, c, "0.5", CommandSnapshot::p50Usec);
      quantile(out, c, "0.99", CommandSnapshot::p99Usec);
      quantile(out, c, "0.999", CommandSnapshot::p999Usec);
      sample(out, "rekko_command_latency_seconds_sum", "command", c.name(), c.usecs() / 1e6);
      sample(out, "rekko_command_latency_seconds_count", "command", c.name(), c.calls());
    }
    single(out, "rekko_ops_total", "counter", "Commands handled since start.", s.ops().total());
    single(out, "rekko_ops_errors_total", "counter", "Commands answered with an error since start.", s.ops().fails());
    single(out, "rekko_ops_per_second", "gauge", "Commands per second over the last second.", s.ops().qps());
    single(out, "rekko_sessions_alive", "gauge", "Client connections open now.", s.sessions().alive());
    single(out, "rekko_sessions_total", "counter", "Client connections accepted since start.", s.sessions().total());
    single(out, "rekko_tls_handshake_failures_total", "counter",
        "TLS client connections that ended during their handshake (refused certificates among them).",
        s.sessions().tlsHandshakeFailures());
    single(out, "rekko_online", "gauge", "1 when the node serves commands (routing table loaded).", s.online() ? 1 : 0);

    header(out, "rekko_backend_up", "gauge", "1 when the backend connection to the server and database is up.");
    for (BackendStatus b : s.backends()) {
      backend(out, "rekko_backend_up", b, b.up() ? 1 : 0);
    }
    header(out, "rekko_backend_inflight", "gauge", "Commands sent to the backend and not answered yet.");
    for (BackendStatus b : s.backends()) {
      backend(out, "rekko_backend_inflight", b, b.inFlight());
    }

    StatsSnapshot.JvmRuntime rt = s.runtime();
    single(out, "rekko_jvm_heap_used_bytes", "gauge", "JVM heap in use.", rt.heapUsed());
    single(out, "rekko_jvm_heap_max_bytes", "gauge", "JVM heap limit (-1 when undefined).", rt.heapMax());
    single(out, "rekko_jvm_threads", "gauge", "Live JVM threads.", rt.threads());
    single(out, "rekko_jvm_gc_collections_total", "counter", "Garbage collections since start.", rt.gcCount());
    single(out, "rekko_jvm_gc_seconds_total", "counter", "Time spent in garbage collection.", rt.gcTimeMs() / 1e3);
    single(out, "rekko_uptime_seconds", "gauge", "Seconds since the node started.", rt.uptimeSec());
    return out.toString();
  }

  /**
   * The coordinator's HA counters as {@code rekko_ha_<name>_total}, and {@code rekko_replica_lag_bytes} for
   * each replica of a group (by the topology) that the quorum has a view of.
   */
  public static String renderHa(Coordinator.HealthView view, Topology topology) {
    StringBuilder out = new StringBuilder(512);
    for (Map.Entry<String, Long> c : view.counters().entrySet()) {
      String name = "rekko_ha_" + metricName(c.getKey()) + "_total";
      single(out, name, "counter", "HA: " + c.getKey().replace('_', ' ') + " since the coordinator started.",
          c.getValue());
    }
    header(out, "rekko_replica_lag_bytes", "gauge",
        "A replica's replication lag behind its master in bytes, as the quorum of nodes sees it.");
    for (GroupInfo g : topology.groups().values()) {
      for (ServerInfo s : g.servers()) {
        Coordinator.QuorumHealth h = view.servers().get(s.addr());
        if (h != null && !s.isMaster() && h.role().equals("replica")) {
          out.append("rekko_replica_lag_bytes{group=\"").append(g.id()).append("\",server=\"")
              .append(escape(s.addr())).append("\"} ").append(number(h.lagBytes())).append('\n');
        }
      }
    }
    return out.toString();
  }

  /** A metric name's part: what Prometheus allows ({@code [a-zA-Z0-9_]}), anything else as {@code _}. */
  static String metricName(String s) {
    return s.replaceAll("[^a-zA-Z0-9_]", "_");
  }

  private static void header(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void single(StringBuilder out, String name, String type, String help, double value) {
    header(out, name, type, help);
    out.append(name).append(' ').append(number(value)).append('\n');
  }

  private static void sample(StringBuilder out, String name, String label, String labelValue, double value) {
    out.append(name).append('{').append(label).append("=\"").append(escape(labelValue)).append("\"} ")
        .append(number(value)).append('\n');
  }

  private static void quantile(StringBuilder out, CommandSnapshot c, String q, ToDoubleFunction<CommandSnapshot> usec) {
    out.append("rekko_command_latency_seconds{command=\"").append(escape(c.name()))
        .append("\",quantile=\"").append(q).append("\"} ")
        .append(number(usec.applyAsDouble(c) / 1e6)).append('\n');
  }

  private static void backend(StringBuilder out, String name, BackendStatus b, double value) {
    out.append(name).append("{server=\"").append(escape(b.server()))
        .append("\",db=\"").append(b.database()).append("\"} ")
        .append(number(value)).append('\n');
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  /** Label values escape backslash, double quote and line feed. */
  static String escape(String s) {
    if (s.indexOf('\\') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
      return s;
    }
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
