package dev.rekko.node.http;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.Topology;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cluster-wide part of {@code /metrics}, from what the coordinator answered for this scrape: its HA
 * counters as {@code rekko_ha_<name>_total}, {@code rekko_replica_lag_bytes{group,server}} for each
 * replica of a group (by the topology) that the quorum has a view of, and the migrations' progress. Built
 * as the Prometheus library's snapshots, which the text writer renders with the node's own metrics.
 */
final class CoordinatorMetrics {
  private CoordinatorMetrics() {}

  static List<MetricSnapshot> ha(Coordinator.HealthView view, Topology topology) {
    List<MetricSnapshot> out = new ArrayList<>();
    for (Map.Entry<String, Long> c : view.counters().entrySet()) {
      out.add(counter("rekko_ha_" + metricName(c.getKey()),
          "HA: " + c.getKey().replace('_', ' ') + " since the coordinator started.", c.getValue()));
    }
    GaugeSnapshot.Builder lag = GaugeSnapshot.builder().name("rekko_replica_lag_bytes")
        .help("A replica's replication lag behind its master in bytes, as the quorum of nodes sees it.");
    for (GroupInfo g : topology.groups().values()) {
      for (ServerInfo s : g.servers()) {
        Coordinator.QuorumHealth h = view.servers().get(s.addr());
        if (h != null && !s.isMaster() && h.role().equals("replica")) {
          lag.dataPoint(GaugeDataPointSnapshot.builder()
              .labels(Labels.of("group", Integer.toString(g.id()), "server", s.addr()))
              .value(h.lagBytes()).build());
        }
      }
    }
    out.add(lag.build());
    return out;
  }

  static List<MetricSnapshot> migrations(Coordinator.MigrationsView view) {
    return List.of(
        counter("rekko_migration_keys_moved", "Keys the slot movers moved (each since it started).", view.keysMoved()),
        GaugeSnapshot.builder().name("rekko_migration_slots_left")
            .help("Slots still to migrate: pending ones and those under way.")
            .dataPoint(GaugeDataPointSnapshot.builder().value(view.active() + view.pending()).build())
            .build());
  }

  /** A metric name's part: what Prometheus allows ({@code [a-zA-Z0-9_]}), anything else as {@code _}. */
  static String metricName(String s) {
    return s.replaceAll("[^a-zA-Z0-9_]", "_");
  }

  /** {@code name} without {@code _total}: the library adds it. */
  private static CounterSnapshot counter(String name, String help, double value) {
    return CounterSnapshot.builder().name(name).help(help)
        .dataPoint(CounterDataPointSnapshot.builder().value(value).build()).build();
  }
}
