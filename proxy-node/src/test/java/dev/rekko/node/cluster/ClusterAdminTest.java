package dev.rekko.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rekko.node.proxy.RoutingTable;
import dev.rekko.node.proxy.SlotRoute;
import dev.rekko.protocol.SlotHash;
import dev.rekko.redis.launcher.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;

/**
 * Three nodes in one JVM, real Redis servers, everything done through the HTTP API as an operator would:
 * groups and servers added, slots assigned, every node routing identically; invalid calls refused
 * without a trace; the token; the rebalance plan; and the coordinator's node leaving mid-way.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterAdminTest {
  private static final String TOKEN = "s3cret";
  private static ClusterFixture fx;
  private static RedisServer m1;
  private static RedisServer r1;
  private static RedisServer m2;

  @BeforeAll
  static void start() throws Exception {
    fx = ClusterFixture.create(3, TOKEN, Map.of()).startAll();
    m1 = fx.redis();
    r1 = fx.redis();
    m2 = fx.redis();
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  @Order(1)
  void groupsServersAndSlotsThroughTheApiReachEveryNode() throws Exception {
    ApiClient a = fx.api(1);
    a.post("/api/groups", "{\"id\":1}").ok();
    a.post("/api/groups", "{\"id\":2}").ok();
    a.post("/api/groups/1/servers", "{\"addr\":\"" + m1.address() + "\",\"datacenter\":\"dc1\"}").ok();
    JsonNode g1 = a.post("/api/groups/1/servers", "{\"addr\":\"" + r1.address() + "\"}").ok();
    assertThat(g1.toString()).contains(r1.address()).contains("REPLICA");
    a.post("/api/groups/2/servers", "{\"addr\":\"" + m2.address() + "\"}").ok();
    ClusterFixture.await("r1 replicates m1", () -> info(r1).contains("master_port:" + m1.port()));

    long assigned = System.nanoTime();
    fx.api(2).post("/api/slots/assign", "{\"from\":0,\"to\":511,\"group\":1}").ok();
    fx.api(2).post("/api/slots/assign", "{\"from\":512,\"to\":1023,\"group\":2}").ok();
    ClusterFixture.await("every node routes every slot", () -> allRoute(m1, m2));
    long millis = (System.nanoTime() - assigned) / 1_000_000;
    System.out.println("topology propagation, assign of 1024 slots -> all 3 nodes routing: " + millis + " ms");

    try (Jedis n0 = jedis(0); Jedis n2 = jedis(2)) {
      for (int i = 0; i < 200; i++) {
        n0.set("k" + i, "v" + i);
      }
      for (int i = 0; i < 200; i++) {
        assertThat(n2.get("k" + i)).isEqualTo("v" + i);
        RedisServer owner = SlotHash.slot(("k" + i).getBytes(StandardCharsets.UTF_8)) < 512 ? m1 : m2;
        try (Jedis direct = new Jedis("127.0.0.1", owner.port())) {
          assertThat(direct.get("k" + i)).isEqualTo("v" + i);
        }
      }
    }
    JsonNode nodes = fx.api(0).get("/api/nodes").ok();
    assertThat(nodes).hasSize(3);
    ClusterFixture.await("every node reports the epoch applied", () -> {
      try {
        long epoch = fx.api(0).get("/api/topology").ok().get("epoch").asLong();
        for (JsonNode n : fx.api(0).get("/api/nodes").ok()) {
          if (!n.get("state").asText().equals("UP") || n.get("appliedEpoch").asLong() != epoch) {
            return false;
          }
        }
        return true;
      } catch (Exception e) {
        return false;
      }
    });
  }

  @Test
  @Order(2)
  void invalidCallsAreRefusedAndChangeNothing() throws Exception {
    ApiClient a = fx.api(0);
    JsonNode before = withoutHealth(a.get("/api/topology").ok());
    RedisServer unused = fx.redis();
    assertStatus(a.post("/api/groups", "{\"id\":1}"), 409);
    assertStatus(a.post("/api/groups", "{\"id\":0}"), 400);
    assertStatus(a.post("/api/groups", "{\"id\":"), 400);
    assertStatus(a.post("/api/groups", "{\"name\":\"x\"}"), 400);
    assertStatus(a.delete("/api/groups/1"), 409);
    assertStatus(a.delete("/api/groups/77"), 404);
    assertStatus(a.post("/api/slots/assign", "{\"from\":0,\"to\":10,\"group\":2}"), 409);
    assertStatus(a.post("/api/slots/assign", "{\"from\":0,\"to\":10,\"group\":9}"), 404);
    assertStatus(a.post("/api/slots/assign", "{\"from\":10,\"to\":0,\"group\":1}"), 400);
    assertStatus(a.post("/api/slots/assign", "{\"from\":0,\"to\":1024,\"group\":1}"), 400);
    assertStatus(a.post("/api/groups/2/servers", "{\"addr\":\"" + m1.address() + "\"}"), 409);
    assertStatus(a.post("/api/groups/9/servers", "{\"addr\":\"" + unused.address() + "\"}"), 404);
    assertStatus(a.post("/api/groups/2/servers", "{\"addr\":\"nonsense\"}"), 400);
    int closed = ClusterFixture.freePort();
    assertThat(a.post("/api/groups/2/servers", "{\"addr\":\"127.0.0.1:" + closed + "\"}").status()).isIn(400, 409);
    assertStatus(a.post("/api/groups/1/promote", "{\"addr\":\"" + m1.address() + "\"}"), 409);
    assertStatus(a.post("/api/groups/1/promote", "{\"addr\":\"" + unused.address() + "\"}"), 404);
    assertStatus(a.delete("/api/groups/1/servers/" + m1.address()), 409);
    assertStatus(a.get("/api/slots/1024"), 404);
    assertThat(withoutHealth(a.get("/api/topology").ok())).isEqualTo(before);
  }

  /** The topology without what the quorum observes live (a replica's offset and lag move on by themselves). */
  private static JsonNode withoutHealth(JsonNode topology) {
    for (JsonNode group : topology.get("groups")) {
      for (JsonNode server : group.get("servers")) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) server).remove(java.util.List.of("up", "health"));
      }
    }
    return topology;
  }

  @Test
  @Order(3)
  void mutatingCallsNeedTheToken() throws Exception {
    assertStatus(fx.api(0).withToken("").post("/api/groups", "{\"id\":5}"), 401);
    assertStatus(fx.api(0).withToken("wrong").post("/api/groups", "{\"id\":5}"), 403);
    assertStatus(fx.api(0).withToken("").delete("/api/groups/2"), 401);
    fx.api(0).withToken("").get("/api/topology").ok();
    assertThat(fx.api(0).get("/api/groups/5").status()).isEqualTo(404);
  }

  @Test
  @Order(4)
  void rebalancePlanSpreadsSlotsEvenly() throws Exception {
    ApiClient a = fx.api(2);
    a.post("/api/groups", "{\"id\":3}").ok();
    a.post("/api/groups/3/servers", "{\"addr\":\"" + fx.redis().address() + "\"}").ok();
    JsonNode plan = a.post("/api/rebalance?confirm=false", "").ok();
    assertThat(plan.get("after").get("1").asInt() + plan.get("after").get("2").asInt()
        + plan.get("after").get("3").asInt()).isEqualTo(1024);
    for (String g : List.of("1", "2", "3")) {
      assertThat(plan.get("after").get(g).asInt()).isBetween(341, 342);
    }
    assertThat(plan.get("moves")).hasSize(341);
    JsonNode slots = a.get("/api/slots").ok();
    assertThat(slots.get(1023).get("group").asInt()).as("a plan moves nothing").isEqualTo(2);
  }

  @Test
  @Order(5)
  void adminWorksAgainAfterTheCoordinatorsNodeLeaves() throws Exception {
    fx.stop(0);
    ApiClient a = fx.api(1);
    ClusterFixture.await("the coordinator answers from another node", () -> {
      try {
        return a.post("/api/groups", "{\"id\":4}").status() == 200;
      } catch (Exception e) {
        return false;
      }
    });
    ClusterFixture.await("node 2 sees group 4", () -> fx.node(2).topology().group(4).isPresent());
    assertThat(fx.node(2).topology().slot(0).group()).isEqualTo(1);
    try (Jedis n2 = jedis(2)) {
      assertThat(n2.get("k1")).isEqualTo("v1");
    }
  }

  @Test
  @Order(6)
  void rekkoAdminDrivesTheRealApi() throws Exception {
    String addr = "127.0.0.1:" + fx.httpPort(1);
    assertThat(admin(addr, "groups").out()).contains("1").contains(m1.address()).contains("master");
    assertThat(admin(addr, "slots", "status", "0-9").out()).contains("0-9").contains("ONLINE").contains("group 1");
    assertThat(admin(addr, "nodes").out()).contains("UP");
    Admin created = admin(addr, "groups", "create", "7");
    assertThat(created.code()).as(created.err()).isZero();
    ClusterFixture.await("group 7 everywhere", () -> fx.running().stream()
        .allMatch(i -> fx.node(i).topology().group(7).isPresent()));
    assertThat(admin(addr, "groups", "remove", "7").code()).isZero();
    Admin refused = admin(addr, "groups", "remove", "1");
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).contains("HTTP 409");
    Admin noToken = run("admin", "--addr", addr, "--token", "", "groups", "create", "8");
    assertThat(noToken.code()).isEqualTo(1);
    assertThat(noToken.err()).contains("HTTP 401");
  }

  record Admin(int code, String out, String err) {}

  private static Admin admin(String addr, String... args) {
    java.util.List<String> all = new java.util.ArrayList<>(List.of("admin", "--addr", addr, "--token", TOKEN));
    all.addAll(List.of(args));
    return run(all.toArray(String[]::new));
  }

  private static Admin run(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    var cl = dev.rekko.node.Main.commandLine();
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    int code = cl.execute(args);
    return new Admin(code, out.toString(), err.toString());
  }

  private static boolean allRoute(RedisServer low, RedisServer high) {
    for (int i : fx.running()) {
      RoutingTable t = fx.node(i).context().router().table();
      if (t == null) {
        return false;
      }
      for (int s = 0; s < SlotHash.SLOTS; s++) {
        SlotRoute r = t.route(s);
        RedisServer want = s < 512 ? low : high;
        if (!r.online() || r.master().port() != want.port()) {
          return false;
        }
      }
    }
    return true;
  }

  private static Jedis jedis(int node) {
    return new Jedis("127.0.0.1", fx.respPort(node), 10_000);
  }

  private static String info(RedisServer server) {
    try (Jedis j = new Jedis("127.0.0.1", server.port())) {
      return j.info("replication");
    }
  }

  private static void assertStatus(ApiClient.Response r, int status) {
    assertThat(r.status()).as("%s", r.body()).isEqualTo(status);
  }
}
