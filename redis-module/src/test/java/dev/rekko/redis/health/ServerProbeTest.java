package dev.rekko.redis.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.admin.RedisAdmin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** INFO text (as Redis 7.0.15 prints it) to health fields, and what counts as a change; no server. */
class ServerProbeTest {
  private static final String ADDR = "10.0.0.2:6380";
  private static final String MASTER = """
      # Server
      redis_version:7.0.15
      run_id:b6720fef66e35c87aef98c2282dc50968f7c126e
      # Replication
      role:master
      connected_slaves:1
      slave0:ip=127.0.0.1,port=17411,state=online,offset=127,lag=1
      master_failover_state:no-failover
      master_replid:f0885747cb988bfb7fc5f5b1cc803bc7cb374152
      master_replid2:0000000000000000000000000000000000000000
      master_repl_offset:127
      second_repl_offset:-1
      # Keyspace
      db0:keys=1,expires=0,avg_ttl=0
      db3:keys=2,expires=1,avg_ttl=5000
      """;
  private static final String REPLICA = """
      # Server
      run_id:0d3f5b7a
      # Replication
      role:slave
      master_host:10.0.0.1
      master_port:6379
      master_link_status:%s
      master_last_io_seconds_ago:1
      master_sync_in_progress:0
      slave_read_repl_offset:140
      slave_repl_offset:127
      %s
      slave_priority:7
      slave_read_only:1
      connected_slaves:0
      master_replid:f0885747cb988bfb7fc5f5b1cc803bc7cb374152
      master_repl_offset:99
      # Keyspace
      """;

  @Test
  void masterFields() {
    ServerHealth h = ServerProbe.health(ADDR, RedisAdmin.parseInfo(MASTER), 42, 0, 250);
    assertThat(h).isEqualTo(new ServerHealth(ADDR, true, 0, "master", "", false, 0, 127,
        "f0885747cb988bfb7fc5f5b1cc803bc7cb374152", "b6720fef66e35c87aef98c2282dc50968f7c126e", 3, 42, 250));
    assertThat(h.isMaster()).isTrue();
  }

  @Test
  void replicaWithItsLinkUp() {
    ServerHealth h = ServerProbe.health(ADDR, replica("up", ""), 42, 0, 10);
    assertThat(h).isEqualTo(new ServerHealth(ADDR, true, 0, "replica", "10.0.0.1:6379", true, 0, 127,
        "f0885747cb988bfb7fc5f5b1cc803bc7cb374152", "0d3f5b7a", 0, 7, 10));
    assertThat(h.isReplica()).isTrue();
  }

  @Test
  void replicaWhoseLinkWentDownSaysSince() {
    Map<String, String> info = replica("down", "master_link_down_since_seconds:12");
    assertThat(ServerProbe.neverLinked(info)).isFalse();
    ServerHealth h = ServerProbe.health(ADDR, info, 100, 999, 0);
    assertThat(h.linkUp()).isFalse();
    assertThat(h.linkDownMillis()).isEqualTo(12_000);
  }

  @Test
  void replicaThatNeverLinkedGetsTheProbesOwnCount() {
    Map<String, String> info = replica("down", "master_link_down_since_seconds:-1");
    assertThat(ServerProbe.neverLinked(info)).isTrue();
    assertThat(ServerProbe.health(ADDR, info, 100, 4_500, 0).linkDownMillis()).isEqualTo(4_500);
    assertThat(ServerProbe.neverLinked(replica("down", ""))).as("no such line").isTrue();
    assertThat(ServerProbe.neverLinked(replica("up", "")) || ServerProbe.neverLinked(RedisAdmin.parseInfo(MASTER)))
        .isFalse();
  }

  @Test
  void priorityFallsBackTo100AndPrefersTheNewName() {
    Map<String, String> info = new java.util.HashMap<>(replica("up", ""));
    info.remove("slave_priority");
    assertThat(ServerProbe.health(ADDR, info, 1, 0, 0).priority()).isEqualTo(100);
    info.put("replica_priority", "0");
    info.put("slave_priority", "9");
    assertThat(ServerProbe.health(ADDR, info, 1, 0, 0).priority()).isZero();
  }

  @Test
  void unknownRoleAndMissingFields() {
    ServerHealth h = ServerProbe.health(ADDR, Map.of("role", "sentinel"), 100, 0, 0);
    assertThat(h.role()).isEmpty();
    assertThat(h.up()).isTrue();
    assertThat(h.offset()).isZero();
    assertThat(h.keys()).isZero();
    assertThat(ServerProbe.keys(Map.of("db0", "keys=x,expires=0", "dbx", "keys=5", "db12", "keys=4"))).isEqualTo(4);
  }

  @Test
  void onlyStateChangesAreReported() {
    ServerHealth up = ServerProbe.health(ADDR, replica("up", ""), 100, 0, 0);
    ServerHealth later = new ServerHealth(ADDR, true, 0, "replica", "10.0.0.1:6379", true, 0, 999_999,
        "other", up.runId(), 77, 3, 5_000);
    assertThat(HealthChecker.changed(up, later)).as("offset, keys, replid, priority, age").isFalse();
    assertThat(HealthChecker.changed(up, ServerHealth.down(ADDR, 0))).isTrue();
    assertThat(HealthChecker.changed(ServerHealth.down(ADDR, 0), ServerHealth.down(ADDR, 900))).isFalse();
    assertThat(HealthChecker.changed(up, ServerProbe.health(ADDR, replica("down", ""), 100, 0, 0))).isTrue();
    assertThat(HealthChecker.changed(up, ServerProbe.health(ADDR, RedisAdmin.parseInfo(MASTER), 100, 0, 0)))
        .isTrue();
    Map<String, String> moved = new java.util.HashMap<>(replica("up", ""));
    moved.put("master_port", "6390");
    assertThat(HealthChecker.changed(up, ServerProbe.health(ADDR, moved, 100, 0, 0))).isTrue();
    moved = new java.util.HashMap<>(replica("up", ""));
    moved.put("run_id", "restarted");
    assertThat(HealthChecker.changed(up, ServerProbe.health(ADDR, moved, 100, 0, 0))).isTrue();
  }

  @Test
  void downCountsFromTheStartOfTheFirstFailedCheck() throws IOException {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    HealthChecker.Settings settings = new HealthChecker.Settings(Duration.ofMillis(100), Duration.ofMillis(200),
        Duration.ofMillis(300), "", "");
    try (ServerProbe probe = new ServerProbe("127.0.0.1:" + freePort(), settings, clock::get)) {
      assertThat(probe.check()).isEqualTo(ServerHealth.down(probe.addr(), 0));
      clock.addAndGet(Duration.ofMillis(1_500).toNanos());
      assertThat(probe.check()).isEqualTo(ServerHealth.down(probe.addr(), 1_500));
      clock.addAndGet(Duration.ofMillis(500).toNanos());
      assertThat(probe.check().downForMillis()).isEqualTo(2_000);
    }
  }

  private static Map<String, String> replica(String link, String extraLine) {
    return RedisAdmin.parseInfo(String.format(REPLICA, link, extraLine));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }
}
