package dev.rekko.node.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Error answers, an unreachable node and bad arguments: the message on stderr and the exit code. */
class AdminErrorsTest {
  private StubApi api;

  @BeforeEach
  void start() throws Exception {
    api = new StubApi();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void jsonErrorIsPrintedWithItsStatus() {
    api.reply("POST", "/api/groups", 409, "{\"error\": \"group 3 exists\"}");
    AdminRun run = AdminRun.against(api, "groups", "create", "3");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("error: group 3 exists (HTTP 409)\n");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void missingAndWrongTokens() {
    api.reply("DELETE", "/api/groups/2", 401, "{\"error\": \"admin token required\"}");
    assertThat(AdminRun.against(api, "groups", "remove", "2").err())
        .isEqualTo("error: admin token required (HTTP 401)\n");
    api.reply("DELETE", "/api/groups/2", 403, "{\"error\": \"wrong admin token\"}");
    AdminRun wrong = AdminRun.against(api, "--token", "nope", "groups", "remove", "2");
    assertThat(wrong.code()).isEqualTo(1);
    assertThat(wrong.err()).isEqualTo("error: wrong admin token (HTTP 403)\n");
  }

  @Test
  void notImplementedYetIsJustAnError() {
    api.reply("POST", "/api/slots/migrate", 501, "{\"error\": \"migration is not implemented yet\"}");
    api.reply("GET", "/api/migrations", 501, "{\"error\": \"migration is not implemented yet\"}");
    api.reply("POST", "/api/rebalance?confirm=true", 501, "{\"error\": \"not implemented\"}");
    AdminRun migrate = AdminRun.against(api, "slots", "migrate", "0", "9", "2");
    assertThat(migrate.code()).isEqualTo(1);
    assertThat(migrate.err()).isEqualTo("error: migration is not implemented yet (HTTP 501)\n");
    assertThat(AdminRun.against(api, "migrations").err()).isEqualTo("error: migration is not implemented yet (HTTP 501)\n");
    assertThat(AdminRun.against(api, "--json", "rebalance", "--confirm").err()).isEqualTo("error: not implemented (HTTP 501)\n");
  }

  @Test
  void errorsWithoutAJsonMessageShowWhatCame() {
    api.reply("GET", "/api/nodes", 502, "<html>Bad Gateway</html>");
    assertThat(AdminRun.against(api, "nodes").err())
        .isEqualTo("error: GET /api/nodes failed: <html>Bad Gateway</html> (HTTP 502)\n");
    api.reply("GET", "/api/nodes", 500, "");
    assertThat(AdminRun.against(api, "nodes").err()).isEqualTo("error: GET /api/nodes failed (HTTP 500)\n");
    AdminRun missing = AdminRun.against(api, "groups", "show", "9");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("error: no such resource: GET /api/groups/9 (HTTP 404)\n");
  }

  @Test
  void answerThatIsNotJsonFails() {
    api.ok("GET", "/api/nodes", "hello");
    AdminRun run = AdminRun.against(api, "nodes");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: the node answered GET /api/nodes with something that is not JSON: hello");
  }

  @Test
  void unreachableNodeExitsWith2() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    AdminRun run = AdminRun.run(Map.of(), "--addr", "127.0.0.1:" + closedPort, "topology");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("error: cannot reach http://127.0.0.1:" + closedPort + ": connection refused\n");
  }

  @Test
  void badSlotsAreUsageErrors() {
    assertUsageError("Invalid value for positional parameter at index 0 (SLOT|FROM-TO): '1024' is not a slot",
        "slots", "status", "1024");
    assertUsageError("'5-3' is not a slot range", "slots", "status", "5-3");
    assertUsageError("'abc' is not a slot", "slots", "status", "abc");
    assertUsageError("'1-2-3' is not a slot", "slots", "status", "1-2-3");
    assertUsageError("'0-1024' is not a slot", "slots", "assign", "0-1024", "1");
    assertUsageError("'600-500' is not a slot range", "slots", "assign", "600", "500", "1");
    assertUsageError("'0' is not a group id", "slots", "migrate", "0", "9", "0");
    assertUsageError("expected FROM TO GROUP or FROM-TO GROUP, got 4 argument(s)", "slots", "migrate", "0", "9", "2", "3");
  }

  @Test
  void badServersGroupsAndSwitchesAreUsageErrors() {
    assertUsageError("'redis1' is not a server address", "server", "add", "1", "redis1");
    assertUsageError("'h:0' is not a server address", "server", "remove", "1", "h:0");
    assertUsageError("'h:65536' is not a server address", "server", "promote", "1", "h:65536");
    assertUsageError("':6379' is not a server address", "server", "add", "1", ":6379");
    assertUsageError("'x' is not a group id", "groups", "create", "x");
    assertUsageError("'-1' is not a group id", "groups", "remove", "-1");
    assertUsageError("'maybe' is neither on nor off", "server", "replica-read", "1", "maybe");
    assertUsageError("Missing required parameter: 'ADDR'", "server", "add", "1");
  }

  @Test
  void missingVerbsAndBadAddressesAreUsageErrors() {
    assertUsageError("Missing verb: topology, groups, server", new String[0]);
    assertUsageError("Missing verb: add, remove, promote or replica-read", "server");
    AdminRun typo = AdminRun.against(api, "frobnicate");
    assertThat(typo.code()).isEqualTo(2);
    assertThat(typo.err()).startsWith("Unmatched argument at index 2: 'frobnicate'");
    AdminRun run = AdminRun.run(Map.of(), "--addr", "redis://h:1", "nodes");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).startsWith("Invalid --addr 'redis://h:1': expected HOST:PORT or http(s)://HOST:PORT");
    assertThat(AdminRun.run(Map.of("REKKO_ADMIN_ADDR", "h:port"), "nodes").err()).startsWith("Invalid --addr 'h:port'");
  }

  @Test
  void addressForms() {
    AdminCommand admin = new AdminCommand(Map.of());
    new picocli.CommandLine(admin).parseArgs();
    assertThat(admin.baseUri()).hasToString("http://127.0.0.1:11080/");
    admin.addr = "node3";
    assertThat(admin.baseUri()).hasToString("http://node3:11080/");
    admin.addr = "https://rekko.example.com/admin";
    assertThat(admin.baseUri()).hasToString("https://rekko.example.com/admin/");
    admin.addr = "[::1]:11081";
    assertThat(admin.baseUri()).hasToString("http://[::1]:11081/");
  }

  private void assertUsageError(String message, String... args) {
    AdminRun run = AdminRun.against(api, args);
    assertThat(run.code()).as("exit code of %s", String.join(" ", args)).isEqualTo(2);
    assertThat(run.err()).contains(message).contains("Usage: admin");
    assertThat(api.requests()).as("nothing sent for %s", String.join(" ", args)).isEmpty();
  }
}
