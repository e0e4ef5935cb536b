package dev.rekko.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.RekkoNode;
import dev.rekko.node.config.GroupSeed;
import dev.rekko.node.proxy.Router;
import dev.rekko.redis.launcher.RedisServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * {@code rekko.cluster.bootstrap = management} with the {@code config} discovery method: three nodes
 * without any seed node find each other through their management endpoints (the code path Kubernetes
 * takes, with another list of contact points) and form one cluster; until then {@code /api/ready} says
 * what they wait for and {@code /api/alive} answers 200. A node stopped as on SIGTERM leaves the cluster
 * (Leaving, Exiting, Removed) instead of being downed as unreachable, and refuses commands on the
 * connections it still has, saying it is shutting down.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterBootstrapTest {
  private static final List<RedisServer> redis = new ArrayList<>();
  private static ClusterFixture fx;

  /** Three nodes bootstrapping through each other's management endpoints on free loopback ports. */
  static ClusterFixture bootstrapCluster(Map<String, String> extra) throws Exception {
    int[] management = new int[3];
    for (int i = 0; i < 3; i++) {
      management[i] = ClusterFixture.freePort();
    }
    Map<String, String> settings = new LinkedHashMap<>(extra);
    settings.put("rekko.cluster.bootstrap", "management");
    settings.put("rekko.cluster.seed-nodes", "[]");
    settings.put("rekko.cluster.discovery.method", "config");
    settings.put("rekko.cluster.discovery.endpoints", IntStream.of(management)
        .mapToObj(p -> "\"127.0.0.1:" + p + "\"").collect(Collectors.joining(", ", "[", "]")));
    settings.put("rekko.cluster.discovery.required-contact-points", "3");
    // Bootstrap's pace, tuned down from its defaults (5 s stable margin, 1 s intervals) for tests.
    String bootstrap = "pekko.management.cluster.bootstrap.";
    settings.put(bootstrap + "contact-point-discovery.stable-margin", "1s");
    settings.put(bootstrap + "contact-point-discovery.interval", "300ms");
    settings.put(bootstrap + "contact-point.probe-interval", "300ms");
    return ClusterFixture.create(3, "", settings,
        i -> Map.of("rekko.cluster.management.port", Integer.toString(management[i])));
  }

  @BeforeAll
  static void start() throws Exception {
    redis.add(RedisServer.builder().start());
    redis.add(RedisServer.builder().start());
    fx = bootstrapCluster(Map.of("rekko.bootstrap.groups", GroupSeed.format(List.of(
        new GroupSeed(1, List.of(redis.get(0).address())), new GroupSeed(2, List.of(redis.get(1).address()))))));
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
    redis.forEach(RedisServer::close);
  }

  @Test
  @Order(1)
  void threeNodesFormOneClusterWithoutSeedNodes() throws Exception {
    fx.start(0);
    fx.start(1);
    // Two of the three required contact points: no cluster yet, and both nodes say why.
    ClusterFixture.await("node 0 says it waits for Cluster Bootstrap",
        () -> reason(0).startsWith("waiting for Cluster Bootstrap"));
    ApiClient.Response ready = fx.api(0).get("/api/ready");
    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.body().path("reason").asText()).startsWith("waiting for Cluster Bootstrap: asking the contact "
        + "points 127.0.0.1:").contains("a new cluster forms only once at least 3 contact points are found");
    ApiClient.Response alive = fx.api(1).get("/api/alive");
    assertThat(alive.status()).as("alive while not ready: %s", alive.body()).isEqualTo(200);
    assertThat(alive.body().toString()).isEqualTo("{\"alive\":true}");

    fx.start(2);
    fx.startAll();
    for (int i = 0; i < 3; i++) {
      RekkoNode node = fx.node(i);
      ClusterFixture.await("node sees three members Up", () -> upMembers(node) == 3);
      assertThat(fx.api(i).get("/api/alive").status()).isEqualTo(200);
    }
    ClusterFixture.await("every node lists three nodes",
        () -> IntStream.range(0, 3).allMatch(i -> nodes(i) == 3));
    fx.awaitAllSlotsOnline();
    for (int i = 0; i < 3; i++) {
      try (Jedis j = new Jedis("127.0.0.1", fx.respPort(i))) {
        for (int k = 0; k < 20; k++) {
          assertThat(j.set("boot:" + i + ":" + k, "v" + k)).isEqualTo("OK");
        }
      }
    }
    try (Jedis j = new Jedis("127.0.0.1", fx.respPort(2))) {
      assertThat(j.get("boot:0:7")).isEqualTo("v7");
      assertThat(j.dbSize()).isEqualTo(60);
    }
  }

  @Test
  @Order(2)
  void aNodeStoppedAsOnSigtermLeavesInsteadOfBeingDowned() throws Exception {
    RekkoNode leaving = fx.node(2);
    Address address = Cluster.get(leaving.system()).selfMember().address();
    List<Object> seen = new CopyOnWriteArrayList<>();
    // Of Object: the subscription's first message is the current state, not an event.
    ActorRef<Object> listener = fx.node(0).system().systemActorOf(Behaviors.receiveMessage(e -> {
      seen.add(e);
      return Behaviors.same();
    }), "test-member-events", Props.empty());
    Cluster.get(fx.node(0).system()).subscriptions().tell(
        Subscribe.create(listener.<ClusterEvent.MemberEvent>narrow(), ClusterEvent.MemberEvent.class));
    Cluster.get(fx.node(0).system()).subscriptions().tell(
        Subscribe.create(listener.<ClusterEvent.ReachabilityEvent>narrow(), ClusterEvent.ReachabilityEvent.class));
    // What /api/alive says once shutdown has begun, asked while the HTTP listener is still bound; and what
    // a client connected before gets once the listeners are unbound.
    List<ApiClient.Response> aliveDuringShutdown = new CopyOnWriteArrayList<>();
    List<String> replyDuringShutdown = new CopyOnWriteArrayList<>();
    ExecutorService asker = Executors.newSingleThreadExecutor();
    try (Jedis client = new Jedis("127.0.0.1", fx.respPort(2))) {
      assertThat(client.get("boot:2:3")).isEqualTo("v3");
      CoordinatedShutdown shutdown = CoordinatedShutdown.get(leaving.system());
      shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "test-ask-alive",
          () -> CompletableFuture.supplyAsync(() -> {
            try {
              aliveDuringShutdown.add(fx.api(2).get("/api/alive"));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            return Done.getInstance();
          }, asker));
      shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "test-send-command",
          () -> CompletableFuture.supplyAsync(() -> {
            try {
              replyDuringShutdown.add(client.get("boot:2:3"));
            } catch (JedisDataException e) {
              replyDuringShutdown.add(e.getMessage());
            }
            return Done.getInstance();
          }, asker));
      leaving.stop(CoordinatedShutdown.jvmExitReason());
    } finally {
      asker.shutdownNow();
    }
    assertThat(aliveDuringShutdown).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.body().path("alive").asBoolean(true)).isFalse();
      assertThat(r.body().path("reason").asText()).isEqualTo("the node is shutting down: the process is ending");
    });
    assertThat(replyDuringShutdown).containsExactly(Router.SHUTTING_DOWN);

    ClusterFixture.await("node 0 saw node 2 removed", () -> seen.stream().anyMatch(e ->
        e instanceof ClusterEvent.MemberRemoved r && r.member().address().equals(address)));
    ClusterEvent.MemberRemoved removed = seen.stream().filter(e -> e instanceof ClusterEvent.MemberRemoved)
        .map(e -> (ClusterEvent.MemberRemoved) e).filter(r -> r.member().address().equals(address))
        .findFirst().orElseThrow();
    assertThat(removed.previousStatus()).as("removed after Exiting, not Down: %s", seen)
        .isEqualTo(MemberStatus.exiting());
    assertThat(seen).as("node 2 was never unreachable nor downed").noneMatch(e ->
        (e instanceof ClusterEvent.UnreachableMember u && u.member().address().equals(address))
            || (e instanceof ClusterEvent.MemberDowned d && d.member().address().equals(address)));
    fx.stop(2);
    assertThat(upMembers(fx.node(0))).isEqualTo(2);
    try (Jedis j = new Jedis("127.0.0.1", fx.respPort(0))) {
      assertThat(j.get("boot:2:3")).isEqualTo("v3");
    }
  }

  static long upMembers(RekkoNode node) {
    var members = Cluster.get(node.system()).state().getMembers();
    long up = 0;
    for (var m : members) {
      if (m.status().equals(MemberStatus.up())) {
        up++;
      }
    }
    return up;
  }

  private static String reason(int i) {
    try {
      return fx.api(i).get("/api/ready").body().path("reason").asText("");
    } catch (Exception e) {
      return "";
    }
  }

  private static int nodes(int i) {
    try {
      return fx.api(i).get("/api/nodes").ok().size();
    } catch (Exception e) {
      return -1;
    }
  }
}
