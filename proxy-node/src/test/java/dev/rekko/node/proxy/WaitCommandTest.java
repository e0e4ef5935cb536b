package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** WAIT through a node in front of groups with one replica each, against what one master with a replica answers. */
class WaitCommandTest {
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2).replicas(1).perClass();

  @BeforeAll
  static void start() throws Exception {
    // Both replicas are in sync before WAIT counts them.
    for (int g = 1; g <= 2; g++) {
      try (var replica = fx.direct(fx.server(g, 1))) {
        assertThat(ProxyFixture.await(Duration.ofSeconds(30),
            () -> replica.info("replication").contains("master_link_status:up"))).isTrue();
      }
    }
  }

  @Test
  void waitCountsTheReplicasThatHaveTheSessionsWrites() throws Exception {
    RespSocket s = fx.socket();
    String k1 = fx.keyInGroup("w", 1);
    String k2 = fx.keyInGroup("w", 2);
    assertThat(s.call("SET", k1, "1")).isEqualTo("OK");
    assertThat(s.call("WAIT", "1", "5000")).isEqualTo(1L);
    assertThat(s.call("SET", k2, "2")).isEqualTo("OK");
    assertThat(s.call("WAIT", "1", "5000")).isEqualTo(1L);
    // More replicas than there are: the count after the timeout, as Redis answers.
    assertThat(s.call("WAIT", "2", "200")).isEqualTo(1L);
    // Numreplicas 0 answers at once: the replicas that acknowledged so far (0 or 1), as in Redis.
    assertThat(s.call("WAIT", "0", "0")).isIn(0L, 1L);
    try (var replica = fx.direct(fx.server(2, 1))) {
      assertThat(replica.get(k2)).isEqualTo("2");
    }
    assertThat(s.call("WAIT", "x", "0")).isEqualTo(new RespSocket.Err("ERR value is not an integer or out of range"));
    assertThat(fx.node().context().blocking.inUse()).isZero();
  }

  @Test
  void aSessionThatWroteNothingGetsTheReplicaCount() throws Exception {
    RespSocket s = fx.socket();
    assertThat(s.call("WAIT", "1", "1000")).isEqualTo(1L);
    assertThat(s.call("WAIT", "0", "0")).isEqualTo(1L);
  }
}
