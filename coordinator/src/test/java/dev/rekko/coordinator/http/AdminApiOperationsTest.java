package dev.rekko.coordinator.http;

import static dev.rekko.coordinator.http.ApiTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.coordinator.Coordinator;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.ServerRole;
import dev.rekko.topology.SlotInfo;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each operation reaches the coordinator as the right command, and each {@link Coordinator.Result} comes
 * back as the documented JSON. No token is set here, so mutating calls need no header.
 */
class AdminApiOperationsTest {
  @RegisterExtension
  static final ApiTestServer api = new ApiTestServer("admin-api-operations", "", Duration.ofSeconds(5));

  private static ApiTestServer.Reply post(String path, String body) throws Exception {
    return api.send("POST", path, body, Optional.empty());
  }

  private static ApiTestServer.Reply delete(String path) throws Exception {
    return api.send("DELETE", path, null, Optional.empty());
  }

  /** Group 4 after a server was added (the example in docs/api.md); no slots, health unknown. */
  private static final GroupInfo GROUP_4 = new GroupInfo(4, List.of(
      new ServerInfo("127.0.0.1:6390", ServerRole.MASTER, "dc1", "7.2.4")), false, 8);
  private static final String GROUP_4_JSON = """
      {"id": 4, "replicaRead": false, "epoch": 8, "slots": 0, "switching": false, "lastFailover": null,
       "servers": [
        {"addr": "127.0.0.1:6390", "role": "MASTER", "datacenter": "dc1", "redisVersion": "7.2.4", "up": null,
         "health": {"status": "unknown", "source": "node", "downNodes": [], "role": "", "masterAddr": "",
                    "offset": null, "lagBytes": null, "linkUp": null}}
      ]}""";

  @Test
  void createGroup() throws Exception {
    var probe = api.monitor();
    api.coordinator.answer(new Coordinator.GroupChanged(new GroupInfo(4, List.of(), false, 7)));
    var reply = post("/api/groups", "{\"id\": 4}");
    assertThat(probe.expectMessageClass(Coordinator.CreateGroup.class).id()).isEqualTo(4);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json()).isEqualTo(json(
        "{\"id\": 4, \"replicaRead\": false, \"epoch\": 7, \"slots\": 0, \"switching\": false,"
            + " \"lastFailover\": null, \"servers\": []}"));
  }

  @Test
  void groupViewCountsTheSlotsTheGroupOwnsInTheTopology() throws Exception {
    api.monitor();
    api.coordinator.answer(new Coordinator.GroupChanged(ApiTestServer.TOPOLOGY.group(1).orElseThrow()
        .withEpoch(8)));
    var reply = post("/api/groups/1/replica-read", "{\"enabled\": false}");
    assertThat(reply.json().get("slots").asInt()).isEqualTo(512);
    assertThat(reply.json().get("servers").get(0).get("up").asBoolean()).isTrue();
  }

  @Test
  void removeGroup() throws Exception {
    var probe = api.monitor();
    api.coordinator.answer(new Coordinator.GroupRemoved(3));
    var reply = delete("/api/groups/3");
    assertThat(probe.expectMessageClass(Coordinator.RemoveGroup.class).id()).isEqualTo(3);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json()).isEqualTo(json("{\"removed\": 3}"));
  }

  @Test
  void addServerWithAndWithoutDatacenter() throws Exception {
    var probe = api.monitor();
    api.coordinator.answer(new Coordinator.GroupChanged(GROUP_4));
    var reply = post("/api/groups/4/servers", "{\"addr\": \"127.0.0.1:6390\", \"datacenter\": \"dc1\"}");
    var add = probe.expectMessageClass(Coordinator.AddServer.class);
    assertThat(List.of(add.group(), add.addr(), add.datacenter())).containsExactly(4, "127.0.0.1:6390", "dc1");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json()).isEqualTo(json(GROUP_4_JSON));

    post("/api/groups/4/servers", "{\"addr\": \"127.0.0.1:6391\"}");
    add = probe.expectMessageClass(Coordinator.AddServer.class);
    assertThat(List.of(add.group(), add.addr(), add.datacenter())).containsExactly(4, "127.0.0.1:6391", "");
  }

  @Test
  void removeServerTakesAnEncodedOrPlainAddress() throws Exception {
    var probe = api.monitor();
    api.coordinator.answer(new Coordinator.GroupChanged(GROUP_4));
    var reply = delete("/api/groups/4/servers/127.0.0.1%3A6391");
    var remove = probe.expectMessageClass(Coordinator.RemoveServer.class);
    assertThat(List.of(remove.group(), remove.addr())).containsExactly(4, "127.0.0.1:6391");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json()).isEqualTo(json(GROUP_4_JSON));

    delete("/api/groups/4/servers/127.0.0.1:6392");
    assertThat(probe.expectMessageClass(Coordinator.RemoveServer.class).addr()).isEqualTo("127.0.0.1:6392");
  }

  @Test
  void promote() throws Exception {
    var probe = api.monitor();
    api.coordinator.answer(new Coordinator.GroupChanged(GROUP_4));
    var reply = post("/api/groups/4/promote", "{\"addr\": \"127.0.0.1:6390\"}");
    var promote = probe.expectMessageClass(Coordinator.Promote.class);
    assertThat(List.of(promote.group(), promote.addr())).containsExactly(4, "127.0.0.1:6390");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json()).isEqualTo(json(GROUP_4_JSON));
  }

  @Test
  void replicaRead() throws Exception {
    var probe = api.monitor();
    api.coordinator.answer(new Coordinator.GroupChanged(new GroupInfo(4, GROUP_4.servers(), true, 9)));
    var reply = post("/api/groups/4/replica-read", "{\"enabled\": true}");
    var set = probe.expectMessageClass(Coordinator.SetReplicaRead.class);
    assertThat(set.group()).isEqualTo(4);
    assertThat(set.enabled()).isTrue();
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().get("replicaRead").asBoolean()).isTrue();
    assertThat(reply.json().get("epoch").asLong()).isEqualTo(9);
  }

  @Test
  void assignSlots() throws Exception {
    var probe = api.monitor();
    api.coordinator.answer(new Coordinator.SlotsChanged(List.of(
        SlotInfo.online(0, 3, 9), SlotInfo.online(1, 3, 9), SlotInfo.online(2, 3, 9))));
    var reply = post("/api/slots/assign", "{\"from\": 0, \"to\": 2, \"group\": 3}");
    var assign = probe.expectMessageClass(Coordinator.AssignSlots.class);
    assertThat(List.of(assign.from(), assign.to(), assign.group())).containsExactly(0, 2, 3);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json()).isEqualTo(json("""
        {"slots": [
          {"id": 0, "state": "ONLINE", "group": 3, "target": 0, "epoch": 9},
          {"id": 1, "state": "ONLINE", "group": 3, "target": 0, "epoch": 9},
          {"id": 2, "state": "ONLINE", "group": 3, "target": 0, "epoch": 9}
        ]}"""));
  }

  @Test
  void rebalancePlanIsShownByDefaultAndWithConfirmFalse() throws Exception {
    var probe = api.monitor();
    TreeMap<Integer, Integer> before = new TreeMap<>();
    before.put(1, 514);
    before.put(2, 510);
    TreeMap<Integer, Integer> after = new TreeMap<>();
    after.put(1, 512);
    after.put(2, 512);
    api.coordinator.answer(new Coordinator.RebalancePlan(
        List.of(new Coordinator.Move(512, 1, 2), new Coordinator.Move(513, 1, 2)), before, after));
    String plan = """
        {"moves": [{"slot": 512, "from": 1, "to": 2}, {"slot": 513, "from": 1, "to": 2}],
         "before": {"1": 514, "2": 510},
         "after": {"1": 512, "2": 512}}""";
    for (String path : new String[] {"/api/rebalance", "/api/rebalance?confirm=false"}) {
      var reply = post(path, null);
      probe.expectMessageClass(Coordinator.PlanRebalance.class);
      assertThat(reply.status()).as(path).isEqualTo(200);
      assertThat(reply.json()).as(path).isEqualTo(json(plan));
    }
  }

  @Test
  void migrationCallsReachTheCoordinator() throws Exception {
    var probe = api.monitor();
    api.coordinator.answer(new Coordinator.SlotsChanged(java.util.List.of()));
    assertThat(post("/api/rebalance?confirm=true", null).status()).isEqualTo(200);
    probe.expectMessageClass(Coordinator.ApplyRebalance.class);

    assertThat(post("/api/slots/migrate", "{\"from\": 0, \"to\": 9, \"group\": 2}").status()).isEqualTo(200);
    var range = probe.expectMessageClass(Coordinator.MigrateSlots.class);
    assertThat(java.util.List.of(range.from(), range.to(), range.group())).containsExactly(0, 9, 2);

    assertThat(post("/api/slots/migrate", "{\"count\": 100, \"fromGroup\": 1, \"group\": 3}").status())
        .isEqualTo(200);
    var count = probe.expectMessageClass(Coordinator.MigrateCount.class);
    assertThat(java.util.List.of(count.count(), count.fromGroup(), count.group())).containsExactly(100, 1, 3);

    api.coordinator.answer(new Coordinator.MigrationsChanged("migrations paused"));
    var paused = post("/api/migrations/pause", null);
    assertThat(paused.json().get("message").asText()).isEqualTo("migrations paused");
    assertThat(probe.expectMessageClass(Coordinator.PauseMigrations.class).paused()).isTrue();
    post("/api/migrations/resume", null);
    assertThat(probe.expectMessageClass(Coordinator.PauseMigrations.class).paused()).isFalse();
    post("/api/migrations/throttle", "{\"maxKeysPerSecond\": 5000}");
    assertThat(probe.expectMessageClass(Coordinator.ThrottleMigrations.class).maxKeysPerSecond()).isEqualTo(5000);
    post("/api/migrations/cancel", null);
    probe.expectMessageClass(Coordinator.CancelPendingMigrations.class);
  }

  @Test
  void badMigrationCallsAreRefusedBeforeTheCoordinator() throws Exception {
    var probe = api.monitor();
    assertThat(post("/api/slots/migrate", "{\"from\": 9, \"to\": 0, \"group\": 2}").status()).isEqualTo(400);
    assertThat(post("/api/slots/migrate", "{\"from\": 0, \"to\": 1024, \"group\": 2}").status()).isEqualTo(400);
    assertThat(post("/api/slots/migrate", "{\"count\": 5, \"group\": 2}").status()).isEqualTo(400);
    assertThat(post("/api/migrations/throttle", "{\"maxKeysPerSecond\": -1}").status()).isEqualTo(400);
    assertThat(post("/api/migrations/throttle", "{}").status()).isEqualTo(400);
    api.coordinator.answer(new Coordinator.GroupRemoved(3));
    delete("/api/groups/3");
    probe.expectMessageClass(Coordinator.RemoveGroup.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 404, 409, 422, 503})
  void aRefusalKeepsItsStatusAndMessage(int status) throws Exception {
    api.monitor();
    api.coordinator.answer(new Coordinator.Failed(status, "refused with " + status));
    var reply = post("/api/groups", "{\"id\": 5}");
    assertThat(reply.status()).isEqualTo(status);
    assertThat(reply.json()).isEqualTo(json("{\"error\": \"refused with " + status + "\"}"));
  }

  @Test
  void aRefusalWithoutAnErrorStatusIsAnInternalError() throws Exception {
    api.monitor();
    api.coordinator.answer(new Coordinator.Failed(200, "confused"));
    var reply = delete("/api/groups/3");
    assertThat(reply.status()).isEqualTo(500);
    assertThat(reply.error()).isEqualTo("confused");
  }
}
