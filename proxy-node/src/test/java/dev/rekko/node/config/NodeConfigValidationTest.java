package dev.rekko.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every validation error names its key and says what is wrong. */
class NodeConfigValidationTest {

  private static String problem(Map<String, String> overrides) {
    NodeConfigException e = catchThrowableOfType(NodeConfigException.class, () -> NodeConfig.of(overrides));
    assertThat(e).as("expected a configuration error for %s", overrides).isNotNull();
    assertThat(e.problems()).hasSize(1);
    return e.problems().get(0);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "rekko.proxy.port                        | 70000 | rekko.proxy.port: 70000 is out of range, must be 0..65535",
      "rekko.proxy.port                        | -1    | rekko.proxy.port: -1 is out of range, must be 0..65535",
      "rekko.admin.port                        | 65536 | rekko.admin.port: 65536 is out of range, must be 0..65535",
      "rekko.proxy.port                        | abc   | rekko.proxy.port: expected a whole number, got \"abc\"",
      "rekko.proxy.max-clients                 | 0     | rekko.proxy.max-clients: 0 is out of range, must be at least 1",
      "rekko.proxy.max-pipeline                | 0     | rekko.proxy.max-pipeline: 0 is out of range, must be at least 1",
      "rekko.proxy.host                        | ' '   | rekko.proxy.host: must not be empty",
      "rekko.proxy.idle-timeout                | -5s   | rekko.proxy.idle-timeout: must be zero or positive",
      "rekko.proxy.tcp-keepalive               | maybe | rekko.proxy.tcp-keepalive: expected on/off (true/false), got \"maybe\"",
      "rekko.backend.databases                 | 0     | rekko.backend.databases: 0 is out of range, must be at least 1",
      "rekko.backend.connections-per-server    | 0     | rekko.backend.connections-per-server: 0 is out of range, must be 1..1024",
      "rekko.backend.max-blocking-connections  | -1    | rekko.backend.max-blocking-connections: -1 is out of range, must be at least 0",
      "rekko.backend.connect-timeout           | 0s    | rekko.backend.connect-timeout: must be positive",
      "rekko.backend.receive-timeout           | soon  | rekko.backend.receive-timeout: expected a duration such as 500ms, 5s or 30m, got \"soon\"",
      "rekko.backend.ping-period               | 0     | rekko.backend.ping-period: must be positive",
      "rekko.backend.user                      | app   | rekko.backend.user: an ACL user needs rekko.backend.password as well",
      "rekko.backend.reconnect-backoff-max     | 50ms  | rekko.backend.reconnect-backoff-max: is shorter than rekko.backend.reconnect-backoff-min",
      "rekko.admin.port                        | 19000 | rekko.admin.port: 19000 is rekko.proxy.port as well",
      "rekko.dispatcher.parallelism            | -1    | rekko.dispatcher.parallelism: -1 is out of range, must be 0..4096",
      "rekko.cluster.form-new-cluster          | maybe | rekko.cluster.form-new-cluster: must be off, on or force, got \"maybe\"",
      "rekko.admin.allow-unauthenticated       | sure  | rekko.admin.allow-unauthenticated: expected on/off (true/false), got \"sure\"",
      "rekko.data-dir                          | ' '   | rekko.data-dir: must not be empty",
      "rekko.cluster.fence-after               | 10s   | rekko.cluster.fence-after: PT10S must be shorter than rekko.cluster.stable-after",
      "rekko.cluster.seed-nodes                | h:0   | rekko.cluster.seed-nodes: \"h:0\" is not host:port",
      "rekko.cluster.seed-nodes                | nohost| rekko.cluster.seed-nodes: \"nohost\" is not host:port",
      "rekko.cluster.on-downed                 | panic | rekko.cluster.on-downed: must be exit or restart, got \"panic\"",
      "rekko.cluster.port                      | 19000 | rekko.cluster.port: 19000 is also the RESP or HTTP port",
      "rekko.admin.request-timeout             | 0s    | rekko.admin.request-timeout: must be positive",
      "rekko.migration.hold-timeout            | 0s    | rekko.migration.hold-timeout: must be positive",
      "rekko.migration.mover.copy-lanes        | -1    | rekko.migration.mover.copy-lanes: -1 is out of range, must be at least 0",
      "rekko.migration.mover.batch-keys        | 0     | rekko.migration.mover.batch-keys: 0 is out of range, must be at least 1",
      "rekko.migration.mover.copy-max-value-bytes | 0  | rekko.migration.mover.copy-max-value-bytes: 0 bytes is out of range, must be at least 1",
      "rekko.migration.mover.copy-batch-bytes  | lots  | rekko.migration.mover.copy-batch-bytes: expected a size such as 64k, 8m or a number of bytes",
      "rekko.migration.mover.migrate-timeout   | 0ms   | rekko.migration.mover.migrate-timeout: must be positive",
      "rekko.migration.mover.load-probe-interval | 500us | rekko.migration.mover.load-probe-interval: must be at least 1ms",
      "rekko.migration.mover.max-keys-per-second | -1  | rekko.migration.mover.max-keys-per-second: -1 is out of range, must be at least 0",
      "rekko.topology.group-writes             | some  | rekko.topology.group-writes: must be local, majority or all, got \"some\"",
      "rekko.topology.initial-read             | two   | rekko.topology.initial-read: must be local, majority or all, got \"two\"",
      "rekko.topology.write-timeout            | 0s    | rekko.topology.write-timeout: must be positive",
      "rekko.topology.ask-margin               | -1s   | rekko.topology.ask-margin: must be zero or positive",
      "rekko.coordinator.min-redis-version     | abc   | rekko.coordinator.min-redis-version: expected a Redis version such as 6.2.0, got \"abc\"",
      "rekko.coordinator.max-parallel-slots    | 0     | rekko.coordinator.max-parallel-slots: 0 is out of range, must be at least 1",
      "rekko.coordinator.slot-ask-timeout      | 0s    | rekko.coordinator.slot-ask-timeout: must be positive",
      "rekko.ha.enabled                        | maybe | rekko.ha.enabled: expected on/off (true/false), got \"maybe\"",
      "rekko.ha.check-interval                 | 0ms   | rekko.ha.check-interval: must be positive",
      "rekko.ha.info-interval                  | often | rekko.ha.info-interval: expected a duration such as 500ms, 5s or 30m, got \"often\"",
      "rekko.ha.ping-timeout                   | -1s   | rekko.ha.ping-timeout: must be positive",
      "rekko.ha.down-after                     | 0s    | rekko.ha.down-after: must be positive",
      "rekko.ha.down-after                     | 400ms | rekko.ha.down-after: PT0.4S must be longer than rekko.ha.ping-timeout (PT0.5S)",
      "rekko.ha.quorum                         | -1    | rekko.ha.quorum: -1 is out of range, must be at least 0",
      "rekko.ha.quorum                         | most  | rekko.ha.quorum: expected a whole number, got \"most\"",
      "rekko.ha.failover-timeout               | 0s    | rekko.ha.failover-timeout: must be positive",
      "rekko.ha.max-link-down                  | 0s    | rekko.ha.max-link-down: must be positive",
      "rekko.ha.report-interval                | 0s    | rekko.ha.report-interval: must be positive",
      "rekko.ha.repair-interval                | 0s    | rekko.ha.repair-interval: must be positive",
      "rekko.ha.durable-writes                 | some  | rekko.ha.durable-writes: expected on/off (true/false), got \"some\"",
      "rekko.ha.durable-timeout                | 0ms   | rekko.ha.durable-timeout: must be positive",
  })
  void rejectsWithTheKeyNamed(String key, String value, String expected) {
    assertThat(problem(Map.of(key, value))).startsWith(expected);
  }

  @Test
  void theOriginOfABadValueIsNamed() {
    assertThat(problem(Map.of("rekko.proxy.port", "70000"))).endsWith("(from -D rekko.proxy.port)");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "1=localhost                          | server \"localhost\" of group 1 is not host:port",
      "1=h:0                                | server \"h:0\" of group 1 has port 0, must be 1..65535",
      "1=h:x                                | server \"h:x\" of group 1 is not host:port (the port is not a number)",
      "1=::1:6379                           | server \"::1:6379\" of group 1 is not host:port (write IPv6 hosts as [::1]:6379)",
      "1=:6379                              | server \":6379\" of group 1 is not host:port",
      "1=a:1;1=b:1                          | group id 1 appears more than once",
      "0=a:1                                | group id 0 is invalid, ids start at 1",
      "1=a:1;2=b:1,a:1                      | server a:1 is in group 1 and in group 2",
      "1=a:1,a:1                            | server a:1 is listed twice in group 1",
      "1=                                   | group 1 has no servers",
      "x=a:1                                | \"x=a:1\" is not <id>=<host:port>,<host:port>...",
  })
  void rejectsBadBootstrapGroups(String groups, String expected) {
    assertThat(problem(Map.of("rekko.bootstrap.groups", groups))).isEqualTo("rekko.bootstrap.groups: " + expected);
  }

  @Test
  void rejectsMalformedGroupObjects() {
    assertThat(problem(Map.of("rekko.bootstrap.groups", "[{servers = [\"a:1\"]}]")))
        .isEqualTo("rekko.bootstrap.groups[0].id: is missing");
    assertThat(problem(Map.of("rekko.bootstrap.groups", "[{id = 1, servers = \"a:1\"}]")))
        .isEqualTo("rekko.bootstrap.groups[0].servers: expected a list of \"host:port\"");
    assertThat(problem(Map.of("rekko.bootstrap.groups", "[1]")))
        .startsWith("rekko.bootstrap.groups[0]: expected { id = 1, servers = [\"host:port\", ...] }");
    assertThat(problem(Map.of("rekko.bootstrap.groups", "{id = 1}")))
        .startsWith("rekko.bootstrap.groups: expected a list of { id, servers }");
  }

  @Test
  void acceptsBracketedIpv6() {
    assertThat(NodeConfig.of(Map.of("rekko.bootstrap.groups", "1=[::1]:6379")).bootstrapGroups().get(0).servers())
        .containsExactly("[::1]:6379");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    NodeConfigException e = catchThrowableOfType(NodeConfigException.class, () -> NodeConfig.of(Map.of(
        "rekko.proxy.port", "99999", "rekko.backend.databases", "0", "rekko.bootstrap.groups", "1=a:1;1=b:2")));
    assertThat(e.problems()).hasSize(3);
    assertThat(e.getMessage())
        .startsWith("Invalid configuration:\n  - ")
        .contains("rekko.proxy.port", "rekko.backend.databases", "rekko.bootstrap.groups");
  }
}
