package dev.rekko.node.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tables by default, the node's JSON with --json. */
class AdminOutputTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StubApi api;

  @BeforeEach
  void start() throws Exception {
    api = ApiFixtures.readsStub()
        .ok("POST", "/api/rebalance?confirm=false", ApiFixtures.rebalance())
        .reply("POST", "/api/groups", 201, "{\"id\": 3}")
        .reply("DELETE", "/api/groups/3", 204, "")
        .ok("POST", "/api/slots/assign", "{\"slots\": [" + ApiFixtures.slot(0, "ONLINE", 1, 0, 5) + ", "
            + ApiFixtures.slot(1, "ONLINE", 1, 0, 6) + "]}");
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void groupsTableHasOneLinePerServer() {
    assertThat(ok("groups")).isEqualTo("""
        GROUP          SLOTS  REPLICA-READ  SERVER          ROLE     HEALTH  REDIS-ROLE  OFFSET  LAG              DATACENTER  VERSION
        1              516    off           127.0.0.1:6379  master   up      master      5000    -                dc1         7.0.15
                                            127.0.0.1:6380  replica  up      replica     4200    800 (link down)  -           7.0.15
        2 (switching)  504    on            127.0.0.1:6381  master   ?       -           -       -                -           -
        """);
    assertThat(ok("groups", "show", "2"))
        .containsPattern("(?m)^2 \\(switching\\)\\s+504\\s+on\\s+127\\.0\\.0\\.1:6381\\s+master\\s+\\?");
  }

  @Test
  void slotsAreCompressedIntoRuns() {
    assertThat(ok("slots")).isEqualTo("""
        0-511      ONLINE     group 1       epoch 1
        512-515    MIGRATING  group 1 -> 2  epochs 9-12
        516-1019   ONLINE     group 2       epoch 2
        1020-1023  OFFLINE                  epoch 0
        """);
    assertThat(ok("slots", "status", "500-513")).isEqualTo("""
        500-511  ONLINE     group 1       epoch 1
        512-513  MIGRATING  group 1 -> 2  epochs 9-10
        """);
    assertThat(ok("slots", "status", "7")).isEqualTo("7  ONLINE  group 1  epoch 1\n");
  }

  @Test
  void nodesTable() {
    assertThat(ok("nodes")).isEqualTo("""
        ADDRESS                       RESP             HTTP             STATE    APPLIED-EPOCH
        pekko://rekko@127.0.0.1:2551  127.0.0.1:19000  127.0.0.1:11080  UP       12
        pekko://rekko@127.0.0.1:2552  127.0.0.1:19001  127.0.0.1:11081  JOINING  11
        """);
  }

  @Test
  void topologyShowsEveryPartAndCountsSlotsPerGroup() {
    assertThat(ok("topology"))
        .startsWith("epoch 12, loaded yes, bootstrapped yes\n")
        .containsPattern("(?m)^1\\s+516\\s+off\\s+127\\.0\\.0\\.1:6379\\s+master\\s+up")
        .containsPattern("(?m)^2 \\(switching\\)\\s+504\\s+on\\s+127\\.0\\.0\\.1:6381")
        .containsPattern("(?m)^0-511\\s+ONLINE\\s+group 1\\s+epoch 1$")
        .containsPattern("(?m)^pekko://rekko@127\\.0\\.0\\.1:2552\\s+127\\.0\\.0\\.1:19001\\s+127\\.0\\.0\\.1:11081\\s+JOINING\\s+11$");
  }

  @Test
  void rebalanceShowsCountsAndMovesAsRuns() {
    assertThat(ok("rebalance"))
        .containsPattern("(?m)^1\\s+600 -> 512$")
        .containsPattern("(?m)^2\\s+424 -> 512$")
        .contains("88 slot move(s):\ngroup 1 -> 2  88 slot(s)  512-599\n")
        .contains("plan only, nothing changed: run `rebalance --confirm` to apply it");
  }

  @Test
  void balancedClusterHasNothingToMove() {
    api.ok("POST", "/api/rebalance?confirm=false",
        "{\"moves\": [], \"before\": {\"1\": 512, \"2\": 512}, \"after\": {\"1\": 512, \"2\": 512}}");
    assertThat(ok("rebalance")).contains("balanced already: nothing to move");
  }

  @Test
  void statsSummaryWithBusiestCommandsAndBackends() {
    assertThat(ok("stats"))
        .containsPattern("(?m)^online\\s+true$")
        .containsPattern("(?m)^ops\\s+total 12345, fails 3, qps 250$")
        .containsPattern("(?m)^sessions\\s+total 20, alive 4$")
        .containsPattern("(?s)GET\\s+9000\\s+0\\s+10\\s+40\n+SET\\s+3345")
        .containsPattern("(?m)^127\\.0\\.0\\.1:6381\\s+0\\s+down\\s+0\\s+connection refused$");
  }

  @Test
  void statsOfAnUnknownShapeArePrintedAsJson() {
    api.ok("GET", "/api/stats", "[1, 2]");
    assertThat(ok("stats")).isEqualTo("[ 1, 2 ]\n");
    api.ok("GET", "/api/stats", "{\"ops\": 5, \"extra\": [{\"a\": 1}]}");
    assertThat(ok("stats")).containsPattern("(?m)^ops\\s+5$").containsPattern("(?m)^extra\\s+1 entries");
  }

  @Test
  void migrationsSummaryAndSlotRuns() {
    assertThat(ok("migrations"))
        .containsPattern("(?m)^active\\s+2$")
        .containsPattern("(?m)^keysMoved\\s+1200$")
        .containsPattern("(?m)^512-513\\s+MIGRATING\\s+group 1 -> 2\\s+epochs 9-10$")
        .containsPattern("(?m)^514\\s+PENDING\\s+group 1 -> 2\\s+epoch 11$");
  }

  @Test
  void mutatingVerbsConfirmInOneLine() {
    assertThat(ok("groups", "create", "3")).isEqualTo("group 3 created\n");
    assertThat(ok("groups", "remove", "3")).isEqualTo("group 3 removed\n");
    assertThat(ok("slots", "assign", "0-1", "1")).isEqualTo("""
        slots 0-1 assigned to group 1
        0-1  ONLINE  group 1  epochs 5-6
        """);
  }

  @Test
  void jsonPrintsTheNodesAnswerPrettyPrinted() throws Exception {
    String nodes = ok("--json", "nodes");
    assertThat(JSON.readTree(nodes)).isEqualTo(JSON.readTree(ApiFixtures.NODES));
    assertThat(nodes).contains("\n  \"appliedEpoch\": 12");
    // after the verb as well
    assertThat(JSON.readTree(ok("groups", "--json"))).isEqualTo(JSON.readTree(ApiFixtures.GROUPS));
    assertThat(JSON.readTree(ok("topology", "--json"))).isEqualTo(JSON.readTree(ApiFixtures.topology()));
    assertThat(JSON.readTree(ok("rebalance", "--json"))).isEqualTo(JSON.readTree(ApiFixtures.rebalance()));
    assertThat(JSON.readTree(ok("slots", "status", "7", "--json")))
        .isEqualTo(JSON.readTree(ApiFixtures.slot(7, "ONLINE", 1, 0, 1)));
    assertThat(JSON.readTree(ok("--json", "slots", "status", "1020-1023")))
        .hasSize(4).allSatisfy(s -> assertThat(s.path("state").asText()).isEqualTo("OFFLINE"));
    assertThat(JSON.readTree(ok("--json", "groups", "create", "3"))).isEqualTo(JSON.readTree("{\"id\": 3}"));
    assertThat(ok("--json", "groups", "remove", "3")).as("204 has nothing to print").isEmpty();
  }

  private String ok(String... args) {
    AdminRun run = AdminRun.against(api, args);
    assertThat(run.code()).as("exit code of %s; stderr: %s", String.join(" ", args), run.err()).isZero();
    assertThat(run.err()).isEmpty();
    return run.out();
  }
}
