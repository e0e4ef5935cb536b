package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.RekkoNode;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The topology a node shows ({@code RekkoNode.topology()}, what the API and the tests read) is never
 * ahead of the routing table its sessions use: a client that saw a change there and sent a command at
 * once was answered by the table before it ("slot is not ready" just after an assign).
 */
class TopologyFollowTest {
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(1).perClass();

  @Test
  void theTopologyShownIsNeverAheadOfTheRoutingTable() throws Exception {
    fx.awaitVersionsLearned();
    RekkoNode node = fx.node();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong checks = new AtomicLong();
    AtomicLong ahead = new AtomicLong();
    Thread watcher = new Thread(() -> {
      while (!stop.get()) {
        long shown = node.topology().epoch();
        RoutingTable table = node.context().router().loaded();
        if (table == null || table.epoch() < shown) {
          ahead.incrementAndGet();
        }
        checks.incrementAndGet();
      }
    }, "topology-watcher");
    watcher.start();
    long before = node.topology().epoch();
    try {
      for (int i = 0; i < 40; i++) {
        NodeApi.postOk(node, "/api/groups/1/replica-read", "{\"enabled\": " + (i % 2 == 0) + "}");
      }
      ProxyFixture.await(java.time.Duration.ofSeconds(30), () -> node.topology().epoch() >= before + 40);
    } finally {
      stop.set(true);
      watcher.join();
    }
    assertThat(node.topology().epoch()).as("every change applied").isGreaterThanOrEqualTo(before + 40);
    assertThat(checks.get()).isPositive();
    assertThat(ahead.get()).as("reads of a topology its routing table did not follow yet, of %s", checks.get())
        .isZero();
  }
}
