package dev.rekko.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.ServerRole;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import java.util.List;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every operation and answer crosses the wire as jackson-cbor and comes back equal. */
class CoordinatorSerializationTest {
  private static ActorTestKit testKit;
  private static SerializationTestKit serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create();
    serialization = new SerializationTestKit(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void operationsRoundTrip() {
    TestProbe<Coordinator.Result> probe = testKit.createTestProbe();
    var replyTo = probe.getRef();
    for (Object op : List.of(
        new Coordinator.CreateGroup(1, replyTo),
        new Coordinator.RemoveGroup(1, replyTo),
        new Coordinator.AddServer(1, "10.0.0.1:6379", "dc1", replyTo),
        new Coordinator.RemoveServer(1, "10.0.0.1:6379", replyTo),
        new Coordinator.Promote(1, "10.0.0.2:6379", replyTo),
        new Coordinator.AssignSlots(0, 1023, 1, replyTo),
        new Coordinator.SetReplicaRead(1, true, replyTo),
        new Coordinator.PlanRebalance(replyTo),
        new Coordinator.WriteGroup(new GroupInfo(1, List.of(ServerInfo.master("10.0.0.2:6379")), false, 3)
            .withSwitching(true, 3).withLastFailover(new dev.rekko.topology.FailoverInfo("failover", "why",
                "10.0.0.1:6379", "10.0.0.2:6379", 1L, 2L), 3), 2, "hold", replyTo))) {
      roundTrip(op);
    }
  }

  @Test
  void resultsRoundTrip() {
    GroupInfo group = new GroupInfo(3, List.of(new ServerInfo("10.0.0.1:6379", ServerRole.MASTER, "dc1", "7.0.15"),
        new ServerInfo("10.0.0.2:6379", ServerRole.REPLICA, "", "7.2.4")), true, 42);
    TreeMap<Integer, Integer> before = new TreeMap<>();
    before.put(1, 1024);
    before.put(2, 0);
    TreeMap<Integer, Integer> after = new TreeMap<>();
    after.put(1, 512);
    after.put(2, 512);
    for (Object result : List.of(
        new Coordinator.GroupChanged(group),
        new Coordinator.GroupChanged(new GroupInfo(4, List.of(), false, 1)),
        new Coordinator.GroupRemoved(3),
        new Coordinator.SlotsChanged(List.of(SlotInfo.online(0, 3, 7), new SlotInfo(1, SlotState.MIGRATING, 3, 4, 8))),
        new Coordinator.SlotsChanged(List.of()),
        new Coordinator.RebalancePlan(List.of(new Coordinator.Move(1023, 1, 2)), before, after),
        new Coordinator.RebalancePlan(List.of(), new TreeMap<>(), new TreeMap<>()),
        new Coordinator.Failed(409, "group 3 already exists"))) {
      roundTrip(result);
    }
  }

  private static void roundTrip(Object message) {
    assertThat(SerializationExtension.get(testKit.system().classicSystem()).findSerializerFor(message))
        .as(message.getClass().getSimpleName()).isInstanceOf(JacksonCborSerializer.class);
    assertThat(serialization.verifySerialization(message, true)).isEqualTo(message);
  }
}
