package dev.rekko.coordinator;

import static dev.rekko.coordinator.RedisChecks.PASSWORD;
import static dev.rekko.coordinator.RedisChecks.admin;
import static dev.rekko.coordinator.RedisChecks.awaitReplicaOf;
import static dev.rekko.coordinator.RedisChecks.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.coordinator.Coordinator.Failed;
import dev.rekko.coordinator.Coordinator.GroupChanged;
import dev.rekko.coordinator.Coordinator.Result;
import dev.rekko.redis.admin.RedisAdmin;
import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.ServerRole;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.Topology;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three cluster members in this JVM, each with a replica, writer, slot region and the coordinator
 * singleton, against real password-protected redis-servers. The steps build on each other, in order.
 * {@code serialize-messages} is on, so every operation and answer goes through jackson-cbor.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CoordinatorClusterTest {

  @TempDir
  static Path dataRoot;

  private static final List<RedisServer> redis = new ArrayList<>();
  private static RedisServer m2;
  private static RedisServer r2;
  private static RedisServer m3;
  private static RedisServer stray;
  private static RedisServer extra;
  private static CoordinatorCluster cluster;

  @BeforeAll
  static void start() {
    try {
      m2 = started(RedisServer.builder().password(PASSWORD).start());
      r2 = started(RedisServer.builder().password(PASSWORD).start());
      m3 = started(RedisServer.builder().password(PASSWORD).start());
      stray = started(RedisServer.builder().password(PASSWORD).replicaOf(m3).start());
      extra = started(RedisServer.builder().password(PASSWORD).start());
      CoordinatorSettings settings = CoordinatorCluster.settings(List.of(), PASSWORD);
      cluster = CoordinatorCluster.start(
          List.of(dataRoot.resolve("n0"), dataRoot.resolve("n1"), dataRoot.resolve("n2")),
          "pekko.actor.serialize-messages = on", settings);
    } catch (RuntimeException | Error e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      redis.forEach(RedisServer::close);
    }
  }

  @Test
  @Order(1)
  void createGroupThenAddMasterAndReplica() throws Exception {
    cluster.awaitAll("loaded", Topology::loaded);
    GroupInfo created = changed(cluster.askUntilReady(0, r -> new Coordinator.CreateGroup(2, r)));
    assertThat(created.id()).isEqualTo(2);
    assertThat(created.servers()).isEmpty();
    assertThat(created.epoch()).isPositive();

    GroupInfo withMaster = changed(ask(1, r -> new Coordinator.AddServer(2, m2.address(), "dc1", r)));
    assertThat(withMaster.servers()).containsExactly(
        new ServerInfo(m2.address(), ServerRole.MASTER, "dc1", m2.binary().version()));
    assertThat(withMaster.epoch()).isGreaterThan(created.epoch());

    GroupInfo withReplica = changed(ask(2, r -> new Coordinator.AddServer(2, r2.address(), "dc2", r)));
    assertThat(withReplica.servers()).containsExactly(withMaster.servers().get(0),
        new ServerInfo(r2.address(), ServerRole.REPLICA, "dc2", r2.binary().version()));

    awaitReplicaOf(r2, m2);
    try (LocalRedisClient master = m2.client(); LocalRedisClient replica = r2.client()) {
      master.ok("SET", "through", "replication");
      CoordinatorCluster.await("the key on the replica", () -> "replication".equals(get(replica, "through")));
    }
    cluster.awaitAll("group 2 with both servers", t -> withReplica.equals(t.groups().get(2)));
  }

  @Test
  @Order(2)
  void assignedSlotsReachEveryNode() {
    Result first = ask(0, r -> new Coordinator.AssignSlots(0, 511, 2, r));
    assertThat(first).isInstanceOfSatisfying(Coordinator.SlotsChanged.class, c -> {
      assertThat(c.slots()).hasSize(512).allMatch(s -> s.state() == SlotState.ONLINE && s.group() == 2);
      assertThat(c.slots().get(0).id()).isZero();
      assertThat(c.slots().get(511).id()).isEqualTo(511);
    });
    changed(ask(1, r -> new Coordinator.CreateGroup(3, r)));
    changed(ask(1, r -> new Coordinator.AddServer(3, m3.address(), "", r)));
    assertThat(ask(2, r -> new Coordinator.AssignSlots(512, 1023, 3, r)))
        .isInstanceOf(Coordinator.SlotsChanged.class);
    // Assigning slots already online at that group changes nothing and is not an error.
    Result again = ask(0, r -> new Coordinator.AssignSlots(0, 9, 2, r));
    assertThat(again).isInstanceOfSatisfying(Coordinator.SlotsChanged.class,
        c -> assertThat(c.slots()).isEqualTo(((Coordinator.SlotsChanged) first).slots().subList(0, 10)));

    cluster.awaitAll("all slots online", t -> t.slots().stream().allMatch(s -> s.state() == SlotState.ONLINE));
    List<SlotInfo> routes = cluster.node(0).topology().slots();
    for (int i = 0; i < cluster.nodes.size(); i++) {
      Topology t = cluster.node(i).topology();
      assertThat(t.slots()).isEqualTo(routes);
      assertThat(t.masterOf(0).map(ServerInfo::addr)).contains(m2.address());
      assertThat(t.masterOf(1023).map(ServerInfo::addr)).contains(m3.address());
      assertThat(t.slotCountByGroup()).containsExactly(Map.entry(2, 512), Map.entry(3, 512));
    }
  }

  @Test
  @Order(3)
  void invalidOperationsAreRefusedAndChangeNothing() throws Exception {
    changed(ask(0, r -> new Coordinator.CreateGroup(4, r)));
    cluster.awaitAll("group 4", t -> t.groups().containsKey(4));
    Topology before = cluster.node(0).topology();
    String nobody = "127.0.0.1:" + freePort();

    refused(ask(0, r -> new Coordinator.AssignSlots(5, 3, 2, r)), 400, "0 <= from <= to <= 1023");
    refused(ask(1, r -> new Coordinator.AssignSlots(-1, 3, 2, r)), 400, "got -1..3");
    refused(ask(2, r -> new Coordinator.AssignSlots(0, 1024, 2, r)), 400, "got 0..1024");
    refused(ask(0, r -> new Coordinator.AssignSlots(0, 1, 99, r)), 404, "no group 99");
    refused(ask(0, r -> new Coordinator.AssignSlots(0, 1, 4, r)), 409, "group 4 has no master");
    refused(ask(1, r -> new Coordinator.AssignSlots(500, 520, 3, r)), 409, "500-511 (online at group 2)");
    refused(ask(0, r -> new Coordinator.AddServer(99, extra.address(), "", r)), 404, "no group 99");
    refused(ask(0, r -> new Coordinator.AddServer(3, m2.address(), "", r)), 409,
        "server " + m2.address() + " is already in group 2");
    refused(ask(1, r -> new Coordinator.AddServer(4, nobody, "", r)), 400, "cannot connect to " + nobody);
    refused(ask(2, r -> new Coordinator.AddServer(4, "no-port", "", r)), 400, "host:port");
    try (FakeOldRedis old = new FakeOldRedis()) {
      refused(ask(2, r -> new Coordinator.AddServer(4, old.address(), "", r)), 400,
          old.address() + " runs Redis 5.0.7; Rekko needs 6.2.0 or newer");
    }
    refused(ask(0, r -> new Coordinator.AddServer(4, stray.address(), "", r)), 409,
        stray.address() + " is a replica of " + m3.address() + "; add a master first");
    refused(ask(0, r -> new Coordinator.CreateGroup(0, r)), 400, "positive");
    refused(ask(0, r -> new Coordinator.CreateGroup(2, r)), 409, "group 2 already exists");
    refused(ask(1, r -> new Coordinator.RemoveGroup(2, r)), 409, "slots 0-511");
    refused(ask(1, r -> new Coordinator.RemoveGroup(99, r)), 404, "no group 99");
    refused(ask(2, r -> new Coordinator.RemoveServer(2, m2.address(), r)), 409, "still has replicas");
    refused(ask(2, r -> new Coordinator.RemoveServer(3, m3.address(), r)), 409, "slots 512-1023");
    refused(ask(2, r -> new Coordinator.RemoveServer(2, "10.9.9.9:1", r)), 404, "group 2 has no server");
    refused(ask(0, r -> new Coordinator.Promote(2, m2.address(), r)), 409, "already the master of group 2");
    refused(ask(0, r -> new Coordinator.Promote(99, m2.address(), r)), 404, "no group 99");
    refused(ask(0, r -> new Coordinator.SetReplicaRead(99, true, r)), 404, "no group 99");

    for (int i = 0; i < cluster.nodes.size(); i++) {
      Topology after = cluster.node(i).topology();
      assertThat(after.groups()).isEqualTo(before.groups());
      assertThat(after.slots()).isEqualTo(before.slots());
      assertThat(after.epoch()).isEqualTo(before.epoch());
    }
    // The refused replica was left alone.
    try (RedisAdmin admin = admin(stray)) {
      assertThat(admin.role().follows(m3.host(), m3.port())).isTrue();
    }
  }

  @Test
  @Order(4)
  void promoteSwapsRolesInRedisAndInTheTopology() throws Exception {
    GroupInfo promoted = changed(ask(1, r -> new Coordinator.Promote(2, r2.address(), r)));
    assertThat(promoted.servers()).extracting(ServerInfo::addr, ServerInfo::role).containsExactly(
        org.assertj.core.groups.Tuple.tuple(r2.address(), ServerRole.MASTER),
        org.assertj.core.groups.Tuple.tuple(m2.address(), ServerRole.REPLICA));
    try (RedisAdmin admin = admin(r2)) {
      assertThat(admin.role().replica()).isFalse();
    }
    awaitReplicaOf(m2, r2);
    try (LocalRedisClient master = r2.client(); LocalRedisClient replica = m2.client()) {
      master.ok("SET", "after", "promote");
      CoordinatorCluster.await("the key on the old master", () -> "promote".equals(get(replica, "after")));
    }
    cluster.awaitAll("r2 is the master of slot 0",
        t -> t.masterOf(0).map(ServerInfo::addr).orElse("").equals(r2.address()));
  }

  @Test
  @Order(5)
  void replicaReadRemoveServerAndRemoveGroup() {
    GroupInfo reading = changed(ask(2, r -> new Coordinator.SetReplicaRead(2, true, r)));
    assertThat(reading.replicaRead()).isTrue();
    GroupInfo without = changed(ask(0, r -> new Coordinator.RemoveServer(2, m2.address(), r)));
    assertThat(without.servers()).extracting(ServerInfo::addr).containsExactly(r2.address());
    assertThat(ask(1, r -> new Coordinator.RemoveGroup(4, r))).isEqualTo(new Coordinator.GroupRemoved(4));
    cluster.awaitAll("group 4 gone and group 2 without m2",
        t -> !t.groups().containsKey(4) && without.equals(t.groups().get(2)));
  }

  @Test
  @Order(6)
  void planRebalanceSpreadsOverANewGroup() {
    Result balanced = ask(0, Coordinator.PlanRebalance::new);
    assertThat(balanced).isInstanceOfSatisfying(Coordinator.RebalancePlan.class,
        p -> assertThat(p.moves()).isEmpty());
    changed(ask(0, r -> new Coordinator.CreateGroup(7, r)));
    changed(ask(0, r -> new Coordinator.AddServer(7, extra.address(), "", r)));
    Result plan = ask(2, Coordinator.PlanRebalance::new);
    assertThat(plan).isInstanceOfSatisfying(Coordinator.RebalancePlan.class, p -> {
      assertThat(p.before()).containsExactly(Map.entry(2, 512), Map.entry(3, 512), Map.entry(7, 0));
      assertThat(p.after()).containsExactly(Map.entry(2, 342), Map.entry(3, 341), Map.entry(7, 341));
      assertThat(p.moves()).hasSize(341).allMatch(m -> m.to() == 7);
    });
  }

  @Test
  @Order(7)
  void anotherNodeTakesOverWhenTheSingletonsNodeStops() {
    Topology before = cluster.node(0).topology();
    cluster.stop(cluster.oldest());
    GroupInfo created = changed(cluster.askUntilReady(0, r -> new Coordinator.CreateGroup(8, r)));
    assertThat(created.epoch()).isGreaterThan(before.epoch());
    cluster.awaitAll("group 8 after the hand-over", t -> t.groups().containsKey(8));
    Topology after = cluster.node(0).topology();
    assertThat(after.slots()).isEqualTo(before.slots());
    assertThat(after.groups().get(2)).isEqualTo(before.groups().get(2));
    // The new coordinator checks against the same state.
    refused(ask(1, r -> new Coordinator.AddServer(8, r2.address(), "", r)), 409, "already in group 2");
  }

  // ---- helpers

  private static RedisServer started(RedisServer server) {
    redis.add(server);
    return server;
  }

  private static Result ask(int node, Function<ActorRef<Result>, Coordinator.Command> op) {
    return cluster.node(node).ask(op);
  }

  /** Retries while the coordinator is not reachable or not ready (after start or a hand-over). */

  private static GroupInfo changed(Result result) {
    assertThat(result).isInstanceOf(GroupChanged.class);
    return ((GroupChanged) result).group();
  }

  private static void refused(Result result, int status, String message) {
    assertThat(result).isInstanceOfSatisfying(Failed.class, f -> {
      assertThat(f.status()).as(f.message()).isEqualTo(status);
      assertThat(f.message()).contains(message);
    });
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }
}
