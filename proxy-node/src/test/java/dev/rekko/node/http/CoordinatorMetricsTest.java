package dev.rekko.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.node.stats.NodeStats;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.Topology;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The coordinator's part of {@code /metrics}, rendered by the Prometheus library as a scrape would. */
class CoordinatorMetricsTest {
  private static String render(List<io.prometheus.metrics.model.snapshots.MetricSnapshot> snapshots) {
    try (NodeStats stats = NodeStats.create()) {
      return new String(MetricsRoutes.render(stats, snapshots), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void metricNamesKeepOnlyWhatPrometheusAllows() {
    assertThat(CoordinatorMetrics.metricName("role-repairs")).isEqualTo("role_repairs");
    assertThat(CoordinatorMetrics.metricName("a.b c")).isEqualTo("a_b_c");
  }

  @Test
  void migrationProgress() {
    String text = render(CoordinatorMetrics.migrations(new Coordinator.MigrationsView(2, 5, 9, 1234, 10.0, 60, false, 0,
        List.of(), List.of())));
    assertThat(text).contains(
        "# TYPE rekko_migration_keys_moved_total counter\nrekko_migration_keys_moved_total 1234.0\n",
        "# TYPE rekko_migration_slots_left gauge\nrekko_migration_slots_left 7.0\n");
  }

  @Test
  void haCountersAndReplicaLagFromTheCoordinatorsView() {
    TreeMap<String, Long> counters = new TreeMap<>();
    counters.put("failovers", 2L);
    counters.put("failovers_failed", 1L);
    counters.put("role-repairs", 3L);
    TreeMap<String, Coordinator.QuorumHealth> servers = new TreeMap<>();
    servers.put("127.0.0.1:6379", new Coordinator.QuorumHealth(true, List.of(), List.of("n1"), "master", "", 900, 0,
        false));
    servers.put("127.0.0.1:6380", new Coordinator.QuorumHealth(true, List.of(), List.of("n1"), "replica",
        "127.0.0.1:6379", 700, 200, true));
    TreeMap<Integer, GroupInfo> groups = new TreeMap<>();
    groups.put(3, new GroupInfo(3, List.of(ServerInfo.master("127.0.0.1:6379"), ServerInfo.replica("127.0.0.1:6380"),
        ServerInfo.replica("127.0.0.1:6381")), false, 5));
    Topology topology = new Topology(5, groups, Topology.offlineSlots(), new TreeMap<>(), true, true);

    String text = render(CoordinatorMetrics.ha(new Coordinator.HealthView(servers, counters), topology));

    assertThat(text).contains(
        "# TYPE rekko_ha_failovers_total counter\nrekko_ha_failovers_total 2.0\n",
        "# TYPE rekko_ha_failovers_failed_total counter\nrekko_ha_failovers_failed_total 1.0\n",
        "rekko_ha_role_repairs_total 3.0\n",
        "# TYPE rekko_replica_lag_bytes gauge\n",
        "rekko_replica_lag_bytes{group=\"3\",server=\"127.0.0.1:6380\"} 200.0\n");
    assertThat(text).as("the master has no lag; a replica without a view is left out")
        .doesNotContain("server=\"127.0.0.1:6379\"").doesNotContain("127.0.0.1:6381");
  }
}
