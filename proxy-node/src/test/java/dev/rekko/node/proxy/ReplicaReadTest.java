package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.ServerRole;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Replica reads against real servers whose data sets differ on purpose: the key {@code rr} is written on
 * the master, then overwritten on each replica directly ({@code replica-read-only no}; a replica's own
 * writes are not replicated anywhere), so a GET through the node says which server answered. Group 1 has
 * a master and two replicas, one in this node's datacenter ({@code rekko.node.datacenter = dc-b}); group 2
 * is there to migrate to.
 */
class ReplicaReadTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String KEY = "rr";
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder()
      .groups(2).replicas(2).set("rekko.node.datacenter", "dc-b").perClass();
  private static final ByHand hand = new ByHand(fx);

  @BeforeAll
  static void start() throws Exception {
    // The test writes a slot's migration steps itself: the coordinator's movers must not run them.
    api("/api/migrations/pause", "");
    RedisServer master = fx.server(1, 0);
    try (Jedis client = fx.jedis(); Jedis m = fx.direct(master)) {
      client.set(KEY, "master");
      for (int i = 1; i <= 2; i++) {
        // Only once the replica has the master's value does the replica's own write stay apart (and the
        // master never writes the key again).
        try (Jedis replica = fx.direct(fx.server(1, i))) {
          hand.await("replica " + i + " caught up", () -> "master".equals(replica.get(KEY)));
          replica.configSet("replica-read-only", "no");
          replica.set(KEY, "replica-" + i);
        }
      }
      assertThat(m.get(KEY)).isEqualTo("master");
    }
    // Replica 2 is in this node's datacenter, replica 1 in another.
    fx.awaitVersionsLearned();
    GroupInfo g = fx.node().topology().group(1).orElseThrow();
    String version = g.servers().get(0).redisVersion();
    hand.put(new GroupInfo(1, List.of(new ServerInfo(master.address(), ServerRole.MASTER, "", version),
        new ServerInfo(fx.server(1, 1).address(), ServerRole.REPLICA, "dc-a", version),
        new ServerInfo(fx.server(1, 2).address(), ServerRole.REPLICA, "dc-b", version)), false,
        fx.node().topology().epoch() + 1));
    assertThat(g.replicaRead()).isFalse();
  }

  @Test
  void readsGoToTheReplicaInThisNodesDatacenterExceptRightAfterAWriteAndNeverDuringAMigration() throws Exception {
    assertThat(fx.groupOf(KEY)).isEqualTo(1);
    try (Jedis client = fx.jedis()) {
      assertThat(client.get(KEY)).as("replica reads are off").isEqualTo("master");

      api("/api/groups/1/replica-read", "{\"enabled\": true}");
      hand.await("reads from the replica in dc-b", () -> "replica-2".equals(client.get(KEY)));
      for (int i = 0; i < 20; i++) {
        assertThat(client.get(KEY)).isEqualTo("replica-2");
      }
      // Pipelined, so the GET is dispatched with the SET, well within the second of read-your-writes.
      var pipeline = client.pipelined();
      var written = pipeline.set(fx.keyInGroup("w", 1), "x");
      var read = pipeline.get(KEY);
      pipeline.sync();
      assertThat(written.get()).isEqualTo("OK");
      assertThat(read.get()).as("read-your-writes: the master, right after a write").isEqualTo("master");
      assertThat(client.set(fx.keyInGroup("w", 2), "y")).isEqualTo("OK");
      hand.await("a write to another group does not keep group 1 on its master",
          () -> "replica-2".equals(client.get(KEY)));
      try (Jedis other = fx.jedis()) {
        assertThat(other.get(KEY)).as("another session did not write").isEqualTo("replica-2");
      }

      int slot = SessionHarness.slot(KEY);
      long epoch = fx.node().topology().epoch();
      hand.put(new SlotInfo(slot, SlotState.PENDING, 1, 2, epoch + 1));
      hand.await("the slot is pending", () -> hand.route(slot).epoch() == epoch + 1);
      assertThat(client.get(KEY)).as("a slot in a migration reads from its master").isEqualTo("master");
      hand.put(SlotInfo.online(slot, 1, epoch + 2));
      hand.await("online again, read from the replica", () -> "replica-2".equals(client.get(KEY)));

      fx.server(1, 2).stop();
      hand.await("the local replica is down: the other one", () -> "replica-1".equals(client.get(KEY)));
      api("/api/groups/1/replica-read", "{\"enabled\": false}");
      hand.await("replica reads off again", () -> "master".equals(client.get(KEY)));
    }
  }

  private static void api(String path, String body) throws Exception {
    NodeApi.postOk(fx.node(), path, body);
  }
}
