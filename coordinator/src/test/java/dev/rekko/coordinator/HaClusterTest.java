package dev.rekko.coordinator;

import static dev.rekko.coordinator.RedisChecks.PASSWORD;
import static dev.rekko.coordinator.RedisChecks.admin;
import static dev.rekko.coordinator.RedisChecks.awaitReplicaOf;
import static dev.rekko.coordinator.RedisChecks.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.coordinator.Coordinator.GroupChanged;
import dev.rekko.coordinator.Coordinator.HealthView;
import dev.rekko.coordinator.Coordinator.Result;
import dev.rekko.coordinator.ha.HaSettings;
import dev.rekko.redis.admin.RedisAdmin;
import dev.rekko.redis.admin.RedisVersion;
import dev.rekko.redis.launcher.LocalRedisClient;
import dev.rekko.redis.launcher.RedisServer;
import dev.rekko.topology.FailoverInfo;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.ServerRole;
import dev.rekko.topology.Topology;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import dev.rekko.slots.Barrier;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * HA against real password-protected redis-servers: one group of a master and two replicas, a coordinator
 * on a two-member cluster (so the quorum, a majority, is 2), and {@link HealthReporters} sending what the
 * two members' health checkers would. No member runs a barrier agent, so holds are not waited for. The
 * steps build on each other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaClusterTest {
  private static final Duration DOWN_AFTER = Duration.ofMillis(1_500);
  private static final HaSettings HA = new HaSettings(true, Duration.ofMillis(200), Duration.ofMillis(200),
      Duration.ofMillis(300), DOWN_AFTER, 0, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofMillis(500),
      Duration.ofSeconds(1));

  @TempDir
  static Path dataRoot;

  private static final List<RedisServer> redis = new ArrayList<>();
  private static RedisServer m;
  private static RedisServer r1;
  private static RedisServer r2;
  private static CoordinatorCluster cluster;
  private static HealthReporters reporters;
  private static FakeGroupAgents agents;

  @BeforeAll
  static void start() {
    try {
      m = started(RedisServer.builder().password(PASSWORD).start());
      r1 = started(RedisServer.builder().password(PASSWORD).start());
      r2 = started(RedisServer.builder().password(PASSWORD).start());
      CoordinatorSettings settings = new CoordinatorSettings(List.of(), "", PASSWORD, Duration.ofSeconds(2),
          RedisVersion.MINIMUM, Duration.ofSeconds(30), Duration.ofSeconds(5), 1024, HA);
      cluster = CoordinatorCluster.start(List.of(dataRoot.resolve("n0"), dataRoot.resolve("n1")), "", settings);
      reporters = new HealthReporters(cluster, PASSWORD, List.of(m.address(), r1.address(), r2.address()));
    } catch (RuntimeException | Error e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    try {
      if (reporters != null) {
        reporters.close();
      }
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      redis.forEach(RedisServer::close);
    }
  }

  @Test
  @Order(1)
  void aGroupOfAMasterAndTwoReplicas() throws Exception {
    cluster.awaitAll("loaded", Topology::loaded);
    changed(cluster.askUntilReady(0, r -> new Coordinator.CreateGroup(1, r)));
    changed(ask(r -> new Coordinator.AddServer(1, m.address(), "", r)));
    changed(ask(r -> new Coordinator.AddServer(1, r1.address(), "", r)));
    changed(ask(r -> new Coordinator.AddServer(1, r2.address(), "", r)));
    assertThat(ask(r -> new Coordinator.AssignSlots(0, 1023, 1, r))).isInstanceOf(Coordinator.SlotsChanged.class);
    awaitReplicaOf(r1, m);
    awaitReplicaOf(r2, m);
    CoordinatorCluster.await("both members' reports on every server", () -> {
      HealthView v = health();
      return v.servers().size() == 3 && v.servers().values().stream().allMatch(h -> h.seenBy().size() == 2
          && h.up() && !h.role().isEmpty());
    });
    assertThat(health().servers().get(r1.address()).masterAddr()).isEqualTo(m.address());
  }

  @Test
  @Order(2)
  void oneMemberThatCannotReachTheMasterCausesNoFailover() throws Exception {
    reporters.blind(0, m.address(), true);
    try {
      String blindNode = HealthReporters.name(cluster.node(0));
      CoordinatorCluster.await("member 0 reporting the master down",
          () -> health().servers().get(m.address()).downNodes().equals(List.of(blindNode)));
      // Well past down-after: one of two members is below the quorum, however long it sees it down.
      Thread.sleep(DOWN_AFTER.toMillis() * 3);
      HealthView v = health();
      assertThat(v.servers().get(m.address()).up()).isTrue();
      assertThat(v.counters()).containsEntry("failovers", 0L).containsEntry("no_candidate", 0L);
      assertThat(masterOf(cluster.node(0).topology())).isEqualTo(m.address());
    } finally {
      reporters.blind(0, m.address(), false);
    }
  }

  @Test
  @Order(3)
  void aSwitchoverLosesNoAcknowledgedWrite() throws Exception {
    AtomicLong acked = new AtomicLong();
    AtomicLong unknown = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = new Thread(() -> incrementUntil(stop, acked, unknown), "incr");
    writer.start();
    try {
      CoordinatorCluster.await("writes flowing", () -> acked.get() > 200);
      GroupInfo g = changed(ask(r -> new Coordinator.Promote(1, r1.address(), r)));
      assertThat(g.master().map(ServerInfo::addr)).contains(r1.address());
      assertThat(g.switching()).isFalse();
      assertThat(g.server(m.address()).map(ServerInfo::role)).contains(ServerRole.REPLICA);
      FailoverInfo f = g.lastFailover();
      assertThat(f.kind()).isEqualTo("switchover");
      assertThat(f.oldMaster()).isEqualTo(m.address());
      assertThat(f.newMaster()).isEqualTo(r1.address());
      long atSwitch = acked.get();
      CoordinatorCluster.await("writes flowing to the new master", () -> acked.get() > atSwitch + 200);
    } finally {
      stop.set(true);
      writer.join();
    }
    assertThat(unknown.get()).as("INCRs whose outcome is unknown").isZero();
    try (LocalRedisClient client = r1.client()) {
      assertThat(client.call("GET", "counter")).isEqualTo(Long.toString(acked.get()));
    }
    awaitReplicaOf(m, r1);
    awaitReplicaOf(r2, r1);
    assertThat(health().counters()).containsEntry("switchovers", 1L);
  }

  @Test
  @Order(4)
  void aDeadMasterIsReplacedByTheReplicaWithTheHighestOffset() throws Exception {
    // r2 stops replicating (its link fails authentication) and misses what follows; m keeps up.
    try (RedisAdmin admin = admin(r2)) {
      admin.configSet("masterauth", "wrong");
      admin.call("CLIENT", "KILL", "TYPE", "master");
    }
    try (LocalRedisClient master = r1.client()) {
      for (int i = 0; i < 100; i++) {
        master.ok("SET", "k" + i, "v" + i);
      }
    }
    long offset = offset(r1);
    CoordinatorCluster.await("m caught up with r1", () -> offset(m) >= offset);
    assertThat(offset(r2)).isLessThan(offset);

    r1.kill();
    cluster.awaitAll("m is the master after a failover", t -> m.address().equals(masterOf(t))
        && !t.groups().get(1).switching());
    GroupInfo g = cluster.node(1).topology().groups().get(1);
    assertThat(g.server(r1.address()).map(ServerInfo::role)).contains(ServerRole.REPLICA);
    FailoverInfo f = g.lastFailover();
    assertThat(f.kind()).isEqualTo("failover");
    assertThat(f.oldMaster()).isEqualTo(r1.address());
    assertThat(f.newMaster()).isEqualTo(m.address());
    assertThat(f.reason()).contains("down for the quorum", HealthReporters.name(cluster.node(0)),
        HealthReporters.name(cluster.node(1)));
    awaitReplicaOf(r2, m);
    try (LocalRedisClient client = r2.client()) {
      CoordinatorCluster.await("r2 has what it had missed", () -> "v99".equals(get(client, "k99")));
    }
    assertThat(health().counters()).containsEntry("failovers", 1L);
  }

  @Test
  @Order(5)
  void theOldMasterComingBackEmptyIsMadeAReplicaOfTheNewOne() throws Exception {
    r1.start();
    awaitReplicaOf(r1, m);
    try (LocalRedisClient client = r1.client()) {
      CoordinatorCluster.await("r1 has the data again", () -> "v99".equals(get(client, "k99")));
    }
    assertThat(masterOf(cluster.node(0).topology())).isEqualTo(m.address());
    assertThat(health().counters().get("role_repairs")).isPositive();
  }

  @Test
  @Order(6)
  void aMasterRestartedEmptyIsReplacedByAReplicaThatKeptTheData() throws Exception {
    // Both replicas would resync to nothing from the restarted master; a wrong masterauth keeps their data
    // (in production the same race is only won when the coordinator is faster than the resync).
    for (RedisServer r : List.of(r1, r2)) {
      try (RedisAdmin admin = admin(r)) {
        admin.configSet("masterauth", "wrong");
      }
    }
    // Paused reports go stale: the coordinator never sees the master down, only back with a new run id.
    reporters.pause(true);
    m.kill();
    m.start();
    reporters.pause(false);
    cluster.awaitAll("a replica is the master after the empty restart", t -> !m.address().equals(masterOf(t))
        && !t.groups().get(1).switching());
    GroupInfo g = cluster.node(0).topology().groups().get(1);
    String chosen = masterOf(cluster.node(0).topology());
    assertThat(chosen).isIn(r1.address(), r2.address());
    assertThat(g.lastFailover().reason()).contains("master restarted empty");
    assertThat(g.lastFailover().oldMaster()).isEqualTo(m.address());
    RedisServer next = chosen.equals(r1.address()) ? r1 : r2;
    awaitReplicaOf(m, next);
    try (LocalRedisClient client = m.client()) {
      CoordinatorCluster.await("the restarted master has the data again", () -> "v99".equals(get(client, "k99")));
    }
  }

  @Test
  @Order(7)
  void aSwitchCutShortInRedisIsAdoptedByTheTopology() throws Exception {
    RedisServer current = masterOf(cluster.node(0).topology()).equals(r1.address()) ? r1 : r2;
    RedisServer third = current == r1 ? r2 : r1;
    // What a coordinator that stopped right after switching Redis leaves behind (reports paused, so that
    // no half-done state is seen: the role repair would act on it).
    reporters.pause(true);
    try (RedisAdmin admin = admin(m)) {
      admin.replicaOfNoOne();
    }
    try (RedisAdmin admin = admin(current)) {
      admin.configSet("masterauth", PASSWORD);
      admin.replicaOf(m.host(), m.port());
    }
    reporters.pause(false);
    cluster.awaitAll("m adopted as the master", t -> m.address().equals(masterOf(t))
        && !t.groups().get(1).switching());
    FailoverInfo f = cluster.node(0).topology().groups().get(1).lastFailover();
    assertThat(f.reason()).contains("adopting");
    assertThat(f.oldMaster()).isEqualTo(current.address());
    awaitReplicaOf(current, m);
    awaitReplicaOf(third, m);
  }

  @Test
  @Order(8)
  void aSwitchoverWaitsForEveryMembersAgentToHoldAndDrain() throws Exception {
    agents = new FakeGroupAgents(cluster);
    String before = masterOf(cluster.node(0).topology());
    GroupInfo g = changed(ask(r -> new Coordinator.Promote(1, r1.address(), r)));
    assertThat(g.master().map(ServerInfo::addr)).contains(r1.address());
    List<Barrier.GroupRequest> asked = List.copyOf(agents.requests);
    assertThat(asked).extracting(Barrier.GroupRequest::group).containsOnly(1);
    assertThat(asked).allMatch(r -> r.drain() && r.server().equals(before) && r.epoch() < g.epoch());
    assertThat(agents.answered).containsExactlyInAnyOrder(HealthReporters.name(cluster.node(0)),
        HealthReporters.name(cluster.node(1)));
  }

  @Test
  @Order(9)
  void aSwitchoverIsRefusedWhenAMemberDoesNotConfirmItsHold() {
    String silent = HealthReporters.name(cluster.node(1));
    agents.mute.add(silent);
    Result refused = ask(r -> new Coordinator.Promote(1, m.address(), r));
    assertThat(refused).isInstanceOfSatisfying(Coordinator.Failed.class, f -> {
      assertThat(f.status()).isEqualTo(503);
      assertThat(f.message()).contains(silent, "did not confirm the hold", "nothing was switched");
    });
    cluster.awaitAll("the hold lifted, r1 still the master", t -> r1.address().equals(masterOf(t))
        && !t.groups().get(1).switching());
    assertThat(health().counters()).containsEntry("switchovers_failed", 1L);
  }

  // ---- helpers

  /** INCRs against whichever server the topology names the master, counting only acknowledged ones. */
  private static void incrementUntil(AtomicBoolean stop, AtomicLong acked, AtomicLong unknown) {
    while (!stop.get()) {
      String master = masterOf(cluster.node(0).topology());
      String[] hp = master.split(":");
      LocalRedisClient client;
      try {
        client = new LocalRedisClient(hp[0], Integer.parseInt(hp[1]), 30_000);
        client.ok("AUTH", PASSWORD);
      } catch (IOException e) {
        continue;
      }
      try (client) {
        while (!stop.get()) {
          Object reply = client.call("INCR", "counter");
          if (!(reply instanceof Long)) {
            Thread.sleep(20);
            break; // READONLY: no longer the master; ask the topology again
          }
          acked.incrementAndGet();
        }
      } catch (IOException e) {
        unknown.incrementAndGet();
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static RedisServer started(RedisServer server) {
    redis.add(server);
    return server;
  }

  private static Result ask(Function<ActorRef<Result>, Coordinator.Command> op) {
    return cluster.node(1).ask(op);
  }

  private static HealthView health() {
    return (HealthView) cluster.node(1).ask(Coordinator.GetHealth::new);
  }

  private static String masterOf(Topology t) {
    return t.masterOfGroup(1).map(ServerInfo::addr).orElse("");
  }

  private static GroupInfo changed(Result result) {
    assertThat(result).isInstanceOf(GroupChanged.class);
    return ((GroupChanged) result).group();
  }

  private static long offset(RedisServer server) {
    try (RedisAdmin admin = admin(server)) {
      return admin.role().offset();
    } catch (IOException e) {
      return -1;
    }
  }
}
