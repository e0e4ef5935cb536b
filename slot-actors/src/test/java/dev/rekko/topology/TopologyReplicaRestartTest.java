package dev.rekko.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replica is supervised: after an exception it starts afresh, loads the topology again, and keeps
 * telling its subscribers and its callback about every change.
 */
class TopologyReplicaRestartTest {
  @TempDir
  Path dataRoot;

  @Test
  void aReplicaThatFailedKeepsPublishingToItsSubscribers() throws Exception {
    try (TestCluster cluster = TestCluster.start(List.of(dataRoot.resolve("n0")), "")) {
      var system = cluster.system(0);
      List<Topology> callbacks = new CopyOnWriteArrayList<>();
      List<Topology> told = new CopyOnWriteArrayList<>();
      ActorRef<TopologyReplica.Command> replica =
          system.systemActorOf(TopologyReplica.create(callbacks::add, TestCluster.TOPOLOGY), "topology", Props.empty());
      ActorRef<Topology> subscriber = system.systemActorOf(Behaviors.<Topology>receiveMessage(t -> {
        told.add(t);
        return Behaviors.same();
      }), "subscriber", Props.empty());
      replica.tell(new TopologyReplica.Subscribe(subscriber));
      TopologyWriter writer = new TopologyWriter(system, TestCluster.TOPOLOGY);

      GroupInfo before = new GroupInfo(21, List.of(ServerInfo.master("10.2.0.1:6379")), false, 1);
      writer.putGroup(before).toCompletableFuture().get(10, TimeUnit.SECONDS);
      TestCluster.await("the subscriber saw group 21", () -> !told.isEmpty() && hasGroup(told, 21));

      replica.tell(new TopologyReplica.Fail());
      GroupInfo after = new GroupInfo(22, List.of(ServerInfo.master("10.2.0.2:6379")), false, 2);
      writer.putGroup(after).toCompletableFuture().get(10, TimeUnit.SECONDS);
      TestCluster.await("the subscriber saw group 22 after the failure", () -> hasGroup(told, 22));
      TestCluster.await("the callback saw group 22 after the failure", () -> hasGroup(callbacks, 22));
      Topology now = TestCluster.topologyOf(system, replica);
      assertThat(now.loaded()).isTrue();
      assertThat(now.groups()).containsKeys(21, 22);
    }
  }

  private static boolean hasGroup(List<Topology> seen, int group) {
    return !seen.isEmpty() && seen.get(seen.size() - 1).groups().containsKey(group);
  }
}
