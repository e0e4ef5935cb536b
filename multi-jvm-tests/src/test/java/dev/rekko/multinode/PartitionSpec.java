package dev.rekko.multinode;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.remote.testconductor.RoleName;

/**
 * Proves the harness on a plain Pekko cluster: three nodes form a cluster, the conductor cuts the
 * third off from the other two, and the Split Brain Resolver downs it. The majority ends with two
 * Up members; the third sees itself removed and its ActorSystem terminate, then exits 0.
 *
 * <p>The third node is taken out of the barrier protocol before the partition: once downed it
 * could not enter another barrier, and its disconnect would fail a barrier the others wait in.
 */
public final class PartitionSpec extends MultiNodeScenario {

  static final class Roles extends ClusterNodeConfig {
    final RoleName first = role("first");
    final RoleName second = role("second");
    final RoleName third = role("third");
  }

  private final Roles roles;

  public PartitionSpec() {
    this(new Roles());
  }

  private PartitionSpec(Roles roles) {
    super(roles);
    this.roles = roles;
  }

  @Override
  public void scenario() throws Exception {
    CompletableFuture<Void> removed = new CompletableFuture<>();
    cluster().registerOnMemberRemoved(() -> removed.complete(null));
    Address thirdAddress = addressOf(roles.third);

    joinCluster(roles.first);
    awaitCond("3 members Up", () -> upMembers().size() == 3, Duration.ofSeconds(30));
    enterBarrier("cluster-up");

    runOn(roles.first, () -> {
      removeFromBarriers(roles.third);
      blackhole(roles.first, roles.third);
      blackhole(roles.second, roles.third);
    });

    runOn(List.of(roles.first, roles.second), () -> {
      awaitCond("third unreachable", () -> isUnreachable(thirdAddress), Duration.ofSeconds(20));
      awaitCond("third downed and removed, 2 Up",
          () -> upMembers().size() == 2 && !upMembers().contains(thirdAddress)
              && cluster().state().getUnreachable().isEmpty(),
          Duration.ofSeconds(30));
      enterBarrier("third-removed");
    });

    // The third node is outside the barrier protocol from here on: it only watches its own fate.
    runOn(roles.third, () -> {
      removed.get(40, TimeUnit.SECONDS);
      note("saw itself removed from the cluster");
      system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      note("ActorSystem terminated after being downed");
    });
  }
}
