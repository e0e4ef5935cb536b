package dev.rekko.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.RekkoNode;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A node forms a new cluster only when told to ({@code rekko.cluster.form-new-cluster}), and even then not
 * while a node its stored topology names may be in a running cluster; until it is a member it does not
 * serve, and {@code GET /api/ready} says why.
 */
class ClusterFormationTest {
  /** Longer than Pekko's seed-node-timeout (5 s), after which a first seed node would form a cluster alone. */
  private static final Duration LONGER_THAN_SEED_TIMEOUT = Duration.ofSeconds(7);

  @Test
  void aNodeWithoutSeedNodesOrTheFlagDoesNotServeAndSaysWhy() throws Exception {
    try (ClusterFixture fx = ClusterFixture.create(1, "",
        Map.of("rekko.cluster.seed-nodes", "[]", "rekko.cluster.form-new-cluster", "off"))) {
      RekkoNode node = fx.start(0);
      ClusterFixture.await("the node says why it waits (or serves)",
          () -> reason(fx, 0).startsWith("not joining any cluster") || node.serving());
      Thread.sleep(LONGER_THAN_SEED_TIMEOUT.toMillis());
      assertNotAMember(fx, node, "not joining any cluster: rekko.cluster.seed-nodes names no node but this one, "
          + "and rekko.cluster.form-new-cluster is off (start one node with --new-cluster, or set "
          + "rekko.cluster.form-new-cluster = on, to form a new cluster)");
    }
  }

  @Test
  void withTheFlagALoneNodeFormsAClusterAndServes() throws Exception {
    try (ClusterFixture fx = ClusterFixture.create(1, "",
        Map.of("rekko.cluster.seed-nodes", "[]", "rekko.cluster.form-new-cluster", "on"))) {
      fx.startAll();
      ApiClient.Response ready = fx.api(0).get("/api/ready");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.body().has("reason")).isFalse();
      assertThat(Cluster.get(fx.node(0).system()).selfMember().status()).isEqualTo(MemberStatus.up());
    }
  }

  @Test
  void aSeedNodeWithAStoredTopologyWhosePeersAreDownDoesNotFormANewCluster() throws Exception {
    try (ClusterFixture fx = ClusterFixture.create(3, "", Map.of())) {
      fx.startAll();
      ClusterFixture.await("every node sees all three", () -> fx.running().stream()
          .allMatch(i -> fx.node(i).topology().nodes().size() == 3));
      ClusterFixture.awaitSettled(fx.running().stream().map(fx::node).toList());
      long epoch = fx.node(0).topology().epoch();
      // Node 0 (the only seed node, form-new-cluster = on) stops first: the topology on its disk names the
      // other two, which run on without it; then they stop too.
      fx.stop(0);
      fx.stop(1);
      fx.stop(2);

      RekkoNode alone = fx.start(0);
      String port1 = "127.0.0.1:" + fx.clusterPort(1);
      String port2 = "127.0.0.1:" + fx.clusterPort(2);
      ClusterFixture.await("node 0 says why it waits", () -> reason(fx, 0).contains("stored topology"));
      Thread.sleep(LONGER_THAN_SEED_TIMEOUT.toMillis());
      String reason = reason(fx, 0);
      assertThat(reason).startsWith("waiting to join the cluster through the other nodes of its stored topology ")
          .contains(port1).contains(port2)
          .endsWith("it forms a new cluster only once every one of them answers that it is up and in no cluster "
              + "(rekko.cluster.form-new-cluster = on; a node lost for good needs force)");
      assertNotAMember(fx, alone, reason);

      // The others come back, in no cluster: a full-cluster restart, and node 0 forms the cluster again.
      fx.start(1);
      fx.start(2);
      fx.startAll();
      assertThat(fx.api(0).get("/api/ready").status()).isEqualTo(200);
      assertThat(fx.node(2).topology().epoch()).isEqualTo(epoch);
    }
  }

  private static void assertNotAMember(ClusterFixture fx, RekkoNode node, String reason) throws Exception {
    assertThat(Cluster.get(node.system()).selfMember().status()).isNotEqualTo(MemberStatus.up());
    assertThat(node.serving()).isFalse();
    ApiClient.Response ready = fx.api(0).get("/api/ready");
    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.body().path("ready").asBoolean(true)).isFalse();
    assertThat(ready.body().path("reason").asText()).isEqualTo(reason);
    try (Jedis j = new Jedis("127.0.0.1", fx.respPort(0))) {
      assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(JedisDataException.class, () -> j.get("k")))
          .hasMessage("ERR router is not online");
    }
  }

  private static String reason(ClusterFixture fx, int i) {
    try {
      return fx.api(i).get("/api/ready").body().path("reason").asText("");
    } catch (Exception e) {
      return "";
    }
  }
}
