package dev.rekko.node.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every verb sends the method, path, JSON body and Authorization header the API v1 expects. */
class AdminRequestsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StubApi api;

  @BeforeEach
  void start() throws Exception {
    api = ApiFixtures.readsStub()
        .ok("POST", "/api/groups", "{\"id\": 3}")
        .reply("DELETE", "/api/groups/3", 204, "")
        .ok("POST", "/api/groups/1/servers", "{}")
        .ok("DELETE", "/api/groups/1/servers/10.0.0.5%3A6379", "{}")
        .ok("POST", "/api/groups/1/promote", "{}")
        .ok("POST", "/api/groups/2/replica-read", "{}")
        .ok("POST", "/api/slots/assign", "{\"slots\": [" + ApiFixtures.slot(0, "ONLINE", 1, 0, 5) + "]}")
        .ok("POST", "/api/slots/migrate", "{}")
        .ok("POST", "/api/rebalance?confirm=false", ApiFixtures.rebalance())
        .ok("POST", "/api/rebalance?confirm=true", ApiFixtures.rebalance());
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void readVerbsGetTheirResource() {
    assertSends(new String[] {"topology"}, "GET", "/api/topology");
    assertSends(new String[] {"groups"}, "GET", "/api/groups");
    assertSends(new String[] {"groups", "show", "2"}, "GET", "/api/groups/2");
    assertSends(new String[] {"slots"}, "GET", "/api/slots");
    assertSends(new String[] {"slots", "status"}, "GET", "/api/slots");
    assertSends(new String[] {"slots", "status", "7"}, "GET", "/api/slots/7");
    assertSends(new String[] {"slots", "status", "0-99"}, "GET", "/api/slots");
    assertSends(new String[] {"nodes"}, "GET", "/api/nodes");
    assertSends(new String[] {"stats"}, "GET", "/api/stats");
    assertSends(new String[] {"migrations"}, "GET", "/api/migrations");
    assertThat(api.requests()).allSatisfy(r -> assertThat(r.authorization()).isNull());
  }

  @Test
  void groupVerbs() {
    assertPosts(new String[] {"groups", "create", "3"}, "/api/groups", "{\"id\": 3}");
    assertSends(new String[] {"groups", "remove", "3"}, "DELETE", "/api/groups/3");
  }

  @Test
  void serverVerbs() {
    assertPosts(new String[] {"server", "add", "1", "10.0.0.5:6379", "--datacenter", "dc2"},
        "/api/groups/1/servers", "{\"addr\": \"10.0.0.5:6379\", \"datacenter\": \"dc2\"}");
    assertPosts(new String[] {"server", "add", "1", "10.0.0.5:6379"},
        "/api/groups/1/servers", "{\"addr\": \"10.0.0.5:6379\", \"datacenter\": \"\"}");
    // the address is one path segment: its ':' percent-encoded
    assertSends(new String[] {"server", "remove", "1", "10.0.0.5:6379"},
        "DELETE", "/api/groups/1/servers/10.0.0.5%3A6379");
    assertPosts(new String[] {"server", "promote", "1", "10.0.0.5:6379"},
        "/api/groups/1/promote", "{\"addr\": \"10.0.0.5:6379\"}");
    assertPosts(new String[] {"server", "replica-read", "2", "on"}, "/api/groups/2/replica-read", "{\"enabled\": true}");
    assertPosts(new String[] {"server", "replica-read", "2", "off"}, "/api/groups/2/replica-read", "{\"enabled\": false}");
  }

  @Test
  void slotVerbsAcceptBothRangeForms() {
    String body = "{\"from\": 0, \"to\": 511, \"group\": 1}";
    assertPosts(new String[] {"slots", "assign", "0", "511", "1"}, "/api/slots/assign", body);
    assertPosts(new String[] {"slots", "assign", "0-511", "1"}, "/api/slots/assign", body);
    assertPosts(new String[] {"slots", "assign", "9", "1"}, "/api/slots/assign", "{\"from\": 9, \"to\": 9, \"group\": 1}");
    assertPosts(new String[] {"slots", "migrate", "512", "599", "2"}, "/api/slots/migrate",
        "{\"from\": 512, \"to\": 599, \"group\": 2}");
    assertPosts(new String[] {"slots", "migrate", "512-599", "2"}, "/api/slots/migrate",
        "{\"from\": 512, \"to\": 599, \"group\": 2}");
  }

  @Test
  void rebalancePlansUnlessConfirmed() {
    assertSends(new String[] {"rebalance"}, "POST", "/api/rebalance?confirm=false");
    assertSends(new String[] {"rebalance", "--confirm"}, "POST", "/api/rebalance?confirm=true");
  }

  @Test
  void tokenIsSentAsBearerFromTheOptionOrTheEnvironment() {
    assertThat(AdminRun.against(api, "--token", "s3cret", "groups", "create", "3").code()).isZero();
    assertThat(api.last().authorization()).isEqualTo("Bearer s3cret");

    assertThat(AdminRun.run(Map.of("REKKO_ADMIN_TOKEN", "from-env"), "--addr", api.addr(), "groups", "remove", "3")
        .code()).isZero();
    assertThat(api.last().authorization()).isEqualTo("Bearer from-env");

    // the option wins over the environment, also when given after the verb
    assertThat(AdminRun.run(Map.of("REKKO_ADMIN_TOKEN", "from-env"), "--addr", api.addr(), "rebalance",
        "--token", "given").code()).isZero();
    assertThat(api.last().authorization()).isEqualTo("Bearer given");
  }

  @Test
  void addressComesFromTheEnvironmentWhenNotGiven() {
    AdminRun run = AdminRun.run(Map.of("REKKO_ADMIN_ADDR", "http://" + api.addr()), "nodes");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(api.last().path()).isEqualTo("/api/nodes");
  }

  @Test
  void runsAsASubcommandOfTheJar() {
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine cl = dev.rekko.node.Main.commandLine();
    cl.setOut(new java.io.PrintWriter(out, true));
    assertThat(cl.execute("admin", "--addr", api.addr(), "nodes")).isZero();
    assertThat(api.last().path()).isEqualTo("/api/nodes");
    assertThat(out.toString()).contains("pekko://rekko@127.0.0.1:2551");
  }

  private void assertSends(String[] args, String method, String path) {
    AdminRun run = AdminRun.against(api, args);
    assertThat(run.code()).as("exit code of %s; stderr %s", String.join(" ", args), run.err()).isZero();
    assertThat(api.last().method()).isEqualTo(method);
    assertThat(api.last().path()).isEqualTo(path);
    // The API refuses a call that changes something without it (a cross-site form cannot send it).
    if (!method.equals("GET")) {
      assertThat(api.last().contentType()).as("Content-Type of %s %s", method, path).isEqualTo("application/json");
    }
  }

  private void assertPosts(String[] args, String path, String json) {
    assertSends(args, "POST", path);
    assertThat(api.last().contentType()).isEqualTo("application/json");
    assertThat(tree(api.last().body())).isEqualTo(tree(json));
  }

  private static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }
}
