package dev.rekko.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.config.ClusterSettings.FormNewCluster;
import dev.rekko.node.config.NodeConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.Test;

/** Whom a node joins through, and when it may form a new cluster itself. */
class FormationPlanTest {
  private static final Address A = address(2551);
  private static final Address B = address(2552);
  private static final Address C = address(2553);

  private static Address address(int port) {
    return new Address("pekko", "rekko", "127.0.0.1", port);
  }

  @Test
  void offNeverPutsItselfInTheList() {
    FormationPlan plan = FormationPlan.of(A, List.of(A, B), List.of(A, B, C), FormNewCluster.OFF);
    assertThat(plan.joinSeedNodes()).containsExactly(B);
    assertThat(plan.mayForm(A)).isFalse();
    assertThat(plan.waiting()).isEqualTo("waiting to join the cluster through seed nodes 127.0.0.1:2552 "
        + "(rekko.cluster.form-new-cluster is off: this node never forms a cluster itself)");
  }

  @Test
  void offWithNoOtherSeedJoinsNothingAndSaysWhy() {
    for (List<Address> seeds : List.of(List.<Address>of(), List.of(A))) {
      FormationPlan plan = FormationPlan.of(A, seeds, List.of(), FormNewCluster.OFF);
      assertThat(plan.joinSeedNodes()).isEmpty();
      assertThat(plan.waiting()).startsWith("not joining any cluster: rekko.cluster.seed-nodes names no node but "
          + "this one, and rekko.cluster.form-new-cluster is off");
    }
  }

  @Test
  void onWithNobodyElseKnownFormsAtOnce() {
    FormationPlan plan = FormationPlan.of(A, List.of(A), List.of(A), FormNewCluster.ON);
    assertThat(plan.joinSeedNodes()).containsExactly(A);
    assertThat(plan.mayForm(A)).isTrue();
  }

  @Test
  void onAsksTheOtherSeedsAndTheStoredMembersFirst() {
    FormationPlan plan = FormationPlan.of(A, List.of(A, B), List.of(C, A, B), FormNewCluster.ON);
    assertThat(plan.joinSeedNodes()).containsExactly(A, B, C);
    assertThat(plan.waiting()).isEqualTo("waiting to join the cluster through seed nodes 127.0.0.1:2552 and "
        + "the other nodes of its stored topology 127.0.0.1:2553; it forms a new cluster only once every one of "
        + "them answers that it is up and in no cluster (rekko.cluster.form-new-cluster = on; a node lost for "
        + "good needs force)");
  }

  @Test
  void aFirstSeedWhoseStoredTopologyNamesOthersDoesNotFormAlone() {
    // The demo's and the fixtures' shape: node 0 is the only seed node.
    FormationPlan plan = FormationPlan.of(A, List.of(A), List.of(A, B, C), FormNewCluster.ON);
    assertThat(plan.joinSeedNodes()).containsExactly(A, B, C);
    assertThat(plan.waiting()).startsWith("waiting to join the cluster through the other nodes of its stored "
        + "topology 127.0.0.1:2552, 127.0.0.1:2553; it forms a new cluster only once");
  }

  @Test
  void forceSaysItFormsAtTheTimeout() {
    FormationPlan plan = FormationPlan.of(A, List.of(B), List.of(), FormNewCluster.FORCE);
    assertThat(plan.joinSeedNodes()).containsExactly(A, B);
    assertThat(plan.waiting()).endsWith("it forms a new cluster if none of them answers within "
        + "pekko.cluster.seed-node-timeout (rekko.cluster.form-new-cluster = force)");
  }

  @Test
  void onlyOnWaitsForEveryAnswer() {
    // Pekko's first seed forms when every other seed answered "in no cluster", or at seed-node-timeout.
    var on = NodeConfig.of(Map.of("rekko.cluster.form-new-cluster", "on")).config();
    assertThat(on.getDuration("pekko.cluster.seed-node-timeout").toDays()).isGreaterThan(3650);
    for (String mode : List.of("off", "force")) {
      var c = NodeConfig.of(Map.of("rekko.cluster.form-new-cluster", mode)).config();
      assertThat(c.getDuration("pekko.cluster.seed-node-timeout")).as(mode).hasSeconds(5);
    }
    var env = NodeConfig.load(Optional.empty(), Map.of(), Map.of("REKKO_CLUSTER_FORM_NEW_CLUSTER", "true"));
    assertThat(env.cluster().formNewCluster()).isEqualTo(FormNewCluster.ON);
  }

  @Test
  void withClusterBootstrapTheNodeJoinsNothingItselfAndSaysWhatBootstrapAsks() {
    var config = NodeConfig.of(Map.of("rekko.cluster.bootstrap", "management", "rekko.cluster.discovery.method",
        "config", "rekko.cluster.discovery.endpoints", "127.0.0.1:8558,127.0.0.1:8559,127.0.0.1:8560"));
    FormationPlan plan = FormationPlan.bootstrap(config.cluster().management(), "127.0.0.1:8558");
    assertThat(plan.joinSeedNodes()).isEmpty();
    assertThat(plan.waiting()).isEqualTo("waiting for Cluster Bootstrap: asking the contact points 127.0.0.1:8558, "
        + "127.0.0.1:8559, 127.0.0.1:8560 (rekko.cluster.discovery.endpoints) whether they are in a cluster, to join "
        + "it; a new cluster forms only once at least 3 contact points are found and all of them answer that they "
        + "are in none (rekko.cluster.bootstrap = management; this node's contact point is 127.0.0.1:8558)");
    var kubernetes = NodeConfig.of(Map.of("rekko.cluster.bootstrap", "management")).cluster().management();
    assertThat(FormationPlan.bootstrap(kubernetes, "10.0.0.4:8558").waiting()).startsWith("waiting for Cluster "
        + "Bootstrap: asking the contact points (port management) of the pods labelled app=rekko that the "
        + "Kubernetes API lists whether");
  }
}
