package dev.rekko.coordinator.http;

import dev.rekko.protocol.SlotHash;
import static dev.rekko.coordinator.http.ApiTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rekko.coordinator.Coordinator;
import dev.rekko.topology.FailoverInfo;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.Topology;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The GET calls: this node's topology as JSON, open even when a token is set. */
class AdminApiReadTest {
  @RegisterExtension
  static final ApiTestServer api = new ApiTestServer("admin-api-read", ApiTestServer.TOKEN, Duration.ofSeconds(5));

  @AfterEach
  void restoreTopology() {
    api.topology.set(ApiTestServer.TOPOLOGY);
  }

  @Test
  void topologyShowsGroupsWithHealthSlotsAndNodes() throws Exception {
    var reply = api.get("/api/topology");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("Content-Type")).contains("application/json");
    JsonNode t = reply.json();
    assertThat(fieldNames(t)).containsExactly("epoch", "loaded", "bootstrapped", "migrationsPaused", "moverThrottle",
        "groups", "slots", "nodes");
    assertThat(t.get("epoch").asLong()).isEqualTo(6);
    assertThat(t.get("loaded").asBoolean()).isTrue();
    assertThat(t.get("bootstrapped").asBoolean()).isTrue();
    assertThat(t.get("groups")).isEqualTo(json(GROUPS));
    assertThat(t.get("slots")).hasSize(SlotHash.SLOTS);
    assertThat(t.get("slots").get(0)).isEqualTo(json(
        "{\"id\":0,\"state\":\"ONLINE\",\"group\":1,\"target\":0,\"epoch\":1}"));
    assertThat(t.get("slots").get(1023)).isEqualTo(json(
        "{\"id\":1023,\"state\":\"MIGRATING\",\"group\":2,\"target\":1,\"epoch\":6}"));
    assertThat(t.get("nodes")).isEqualTo(json(NODES));
  }

  @Test
  void topologyBeforeLoadingSaysSo() throws Exception {
    api.topology.set(Topology.EMPTY);
    JsonNode t = api.get("/api/topology").json();
    assertThat(t.get("loaded").asBoolean()).isFalse();
    assertThat(t.get("bootstrapped").asBoolean()).isFalse();
    assertThat(t.get("groups")).isEmpty();
    assertThat(t.get("nodes")).isEmpty();
    assertThat(t.get("slots")).hasSize(SlotHash.SLOTS);
    assertThat(t.get("slots").get(5).get("state").asText()).isEqualTo("OFFLINE");
  }

  @Test
  void slotsListsAllAndOneByIdFromTheLatestTopology() throws Exception {
    var all = api.get("/api/slots");
    assertThat(all.status()).isEqualTo(200);
    assertThat(all.json()).hasSize(SlotHash.SLOTS);
    assertThat(all.json().get(600).get("group").asInt()).isEqualTo(2);

    var one = api.get("/api/slots/1023");
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.json()).isEqualTo(json(
        "{\"id\":1023,\"state\":\"MIGRATING\",\"group\":2,\"target\":1,\"epoch\":6}"));

    // Read per request, not when the routes were built.
    api.topology.set(Topology.EMPTY);
    assertThat(api.get("/api/slots/1023").json().get("state").asText()).isEqualTo("OFFLINE");
  }

  @Test
  void slotIdOutsideTheTableIsNotFoundAndANonNumberIsBadRequest() throws Exception {
    for (String id : new String[] {"1024", "-1", "99999999999999999999999"}) {
      var reply = api.get("/api/slots/" + id);
      assertThat(reply.status()).as(id).isEqualTo(404);
      assertThat(reply.error()).startsWith("no such slot: " + id);
    }
    var reply = api.get("/api/slots/abc");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).isEqualTo("slot id must be a number: abc");
  }

  @Test
  void groupsListsEveryGroupWithSlotCountsAndServerHealth() throws Exception {
    var reply = api.get("/api/groups");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json()).isEqualTo(json(GROUPS));
    assertThat(fieldNames(reply.json().get(0))).containsExactly("id", "replicaRead", "epoch", "slots", "switching",
        "lastFailover", "servers");
    assertThat(fieldNames(reply.json().get(0).get("servers").get(0)))
        .containsExactly("addr", "role", "datacenter", "redisVersion", "up", "health");
  }

  @Test
  void serversShowTheQuorumsHealthAndGroupsTheirSwitch() throws Exception {
    TreeMap<String, Coordinator.QuorumHealth> servers = new TreeMap<>();
    servers.put("127.0.0.1:6379", new Coordinator.QuorumHealth(true, List.of(), List.of("n1", "n2"), "master", "",
        5000, 0, false));
    servers.put("127.0.0.1:6380", new Coordinator.QuorumHealth(false, List.of("n1", "n2"), List.of("n1", "n2"),
        "replica", "127.0.0.1:6379", 4200, 800, false));
    api.coordinator.answers.set(c -> c instanceof Coordinator.GetHealth
        ? Optional.of(new Coordinator.HealthView(servers, new TreeMap<>())) : Optional.empty());
    FailoverInfo failover = new FailoverInfo("failover", "down for n1, n2", "127.0.0.1:6382", "127.0.0.1:6381",
        1700000000000L, 1234);
    Topology t = ApiTestServer.TOPOLOGY;
    TreeMap<Integer, GroupInfo> groups = new TreeMap<>(t.groups());
    groups.put(2, groups.get(2).withSwitching(true, 7).withLastFailover(failover, 7));
    api.topology.set(new Topology(t.epoch(), groups, t.slots(), t.nodes(), true, true));
    try {
      JsonNode one = api.get("/api/groups/1").json();
      assertThat(one.get("servers").get(0).get("health")).isEqualTo(json("""
          {"status": "up", "source": "quorum", "downNodes": [], "role": "master", "masterAddr": "",
           "offset": 5000, "lagBytes": null, "linkUp": null}"""));
      assertThat(one.get("servers").get(1).get("health")).isEqualTo(json("""
          {"status": "down", "source": "quorum", "downNodes": ["n1", "n2"], "role": "replica",
           "masterAddr": "127.0.0.1:6379", "offset": 4200, "lagBytes": 800, "linkUp": false}"""));
      assertThat(one.get("servers").get(1).get("up").asBoolean()).as("this node's own view stays").isFalse();

      JsonNode two = api.get("/api/topology").json().get("groups").get(1);
      assertThat(two.get("switching").asBoolean()).isTrue();
      assertThat(two.get("lastFailover")).isEqualTo(json("""
          {"kind": "failover", "reason": "down for n1, n2", "oldMaster": "127.0.0.1:6382",
           "newMaster": "127.0.0.1:6381", "atMillis": 1700000000000, "durationMillis": 1234}"""));
      assertThat(two.get("servers").get(0).get("health").get("source").asText())
          .as("a server the quorum has no report on").isEqualTo("node");
      assertThat(api.get("/api/groups").json().get(1)).isEqualTo(two);
    } finally {
      api.coordinator.silent();
    }
  }

  @Test
  void oneGroupByIdOr404Or400() throws Exception {
    var one = api.get("/api/groups/2");
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.json()).isEqualTo(json(GROUPS).get(1));

    for (String id : new String[] {"9", "0", "-4", "3000000000"}) {
      var missing = api.get("/api/groups/" + id);
      assertThat(missing.status()).as(id).isEqualTo(404);
      assertThat(missing.error()).isEqualTo("no such group: " + id);
    }
    var bad = api.get("/api/groups/two");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.error()).isEqualTo("group id must be a number: two");
  }

  @Test
  void nodesListsEveryNode() throws Exception {
    var reply = api.get("/api/nodes");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json()).isEqualTo(json(NODES));
  }

  @Test
  void migrationsShowTheCoordinatorsView() throws Exception {
    api.coordinator.answer(new Coordinator.MigrationsView(2, 3, 5, 1000, 250.5, 12, false, 0,
        java.util.List.of(), java.util.List.of()));
    var reply = api.get("/api/migrations");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().get("active").asInt()).isEqualTo(2);
    assertThat(reply.json().get("pending").asInt()).isEqualTo(3);
    assertThat(reply.json().get("done").asInt()).isEqualTo(5);
    assertThat(reply.json().get("keysMoved").asLong()).isEqualTo(1000);
    assertThat(reply.json().get("keysPerSecond").asDouble()).isEqualTo(250.5);
    assertThat(reply.json().get("etaSeconds").asLong()).isEqualTo(12);
  }

  static java.util.List<String> fieldNames(JsonNode node) {
    java.util.List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** This node's view only: the canned coordinator does not answer GetHealth unless a test says so. */
  static final String GROUPS = """
      [
        {"id": 1, "replicaRead": false, "epoch": 3, "slots": 512, "switching": false, "lastFailover": null,
         "servers": [
          {"addr": "127.0.0.1:6379", "role": "MASTER", "datacenter": "dc1", "redisVersion": "7.2.4", "up": true,
           "health": {"status": "up", "source": "node", "downNodes": [], "role": "", "masterAddr": "",
                      "offset": null, "lagBytes": null, "linkUp": null}},
          {"addr": "127.0.0.1:6380", "role": "REPLICA", "datacenter": "dc2", "redisVersion": "7.2.4", "up": false,
           "health": {"status": "down", "source": "node", "downNodes": [], "role": "", "masterAddr": "",
                      "offset": null, "lagBytes": null, "linkUp": null}}
        ]},
        {"id": 2, "replicaRead": true, "epoch": 4, "slots": 512, "switching": false, "lastFailover": null,
         "servers": [
          {"addr": "127.0.0.1:6381", "role": "MASTER", "datacenter": "", "redisVersion": "", "up": null,
           "health": {"status": "unknown", "source": "node", "downNodes": [], "role": "", "masterAddr": "",
                      "offset": null, "lagBytes": null, "linkUp": null}}
        ]},
        {"id": 3, "replicaRead": false, "epoch": 5, "slots": 0, "switching": false, "lastFailover": null,
         "servers": []}
      ]""";

  static final String NODES = """
      [
        {"address": "pekko://rekko@127.0.0.1:2551", "resp": "127.0.0.1:19000", "http": "127.0.0.1:11080",
         "state": "UP", "appliedEpoch": 6},
        {"address": "pekko://rekko@127.0.0.1:2552", "resp": "127.0.0.1:19001", "http": "127.0.0.1:11081",
         "state": "JOINING", "appliedEpoch": 5}
      ]""";
}
