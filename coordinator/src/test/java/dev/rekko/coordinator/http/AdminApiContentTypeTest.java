package dev.rekko.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.coordinator.Coordinator;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Calls that change something need {@code Content-Type: application/json}: what a browser sends cross-site
 * from a web form (form-urlencoded, multipart, text/plain, or nothing) is refused with 415 before anything
 * happens, even on a node without an admin token.
 */
class AdminApiContentTypeTest {
  @RegisterExtension
  static final ApiTestServer api = new ApiTestServer("admin-api-content-type", "", Duration.ofSeconds(5));

  /** Every mutating call, with a body it would accept. */
  private static final String MUTATING = """
      POST   | /api/groups                              | {"id": 5}
      DELETE | /api/groups/3                            |
      POST   | /api/groups/1/servers                    | {"addr": "127.0.0.1:6382"}
      DELETE | /api/groups/1/servers/127.0.0.1%3A6380   |
      POST   | /api/groups/1/promote                    | {"addr": "127.0.0.1:6380"}
      POST   | /api/groups/1/replica-read               | {"enabled": true}
      POST   | /api/slots/assign                        | {"from": 0, "to": 1, "group": 3}
      POST   | /api/slots/migrate                       | {"from": 0, "to": 1, "group": 3}
      POST   | /api/migrations/pause                    |
      POST   | /api/migrations/resume                   |
      POST   | /api/migrations/cancel                   |
      POST   | /api/migrations/throttle                 | {"maxKeysPerSecond": 10}
      POST   | /api/rebalance                           |
      POST   | /api/rebalance?confirm=true              |
      """;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = MUTATING)
  void withoutAJsonContentTypeEveryMutatingCallIs415AndAsksNothing(String method, String path, String body)
      throws Exception {
    var probe = api.monitor();
    api.coordinator.answer(new Coordinator.GroupRemoved(3));
    for (String type : new String[] {null, "text/plain", "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "application/jsonp"}) {
      var reply = api.send(method, path, body, type, Optional.empty());
      assertThat(reply.status()).as(String.valueOf(type)).isEqualTo(415);
      assertThat(reply.error()).startsWith("a " + method + " needs Content-Type: application/json, not ");
    }
    // The next call that passes is the first command the coordinator sees.
    var ok = api.send("POST", "/api/rebalance", null, "application/json", Optional.empty());
    assertThat(ok.status()).isEqualTo(200);
    probe.expectMessageClass(Coordinator.PlanRebalance.class);
  }

  @Test
  void aFormPostOfTheRebalanceIsRefusedWithItsReason() throws Exception {
    TestProbe<Coordinator.Command> probe = api.monitor();
    var reply = api.send("POST", "/api/rebalance?confirm=true", "confirm=true",
        "application/x-www-form-urlencoded", Optional.empty());
    assertThat(reply.status()).isEqualTo(415);
    assertThat(reply.error())
        .isEqualTo("a POST needs Content-Type: application/json, not application/x-www-form-urlencoded");
    probe.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void jsonWithACharsetAndReadsWithoutAnyContentTypePass() throws Exception {
    api.coordinator.answer(new Coordinator.GroupRemoved(3));
    var reply = api.send("DELETE", "/api/groups/3", null, "Application/JSON; charset=UTF-8", Optional.empty());
    assertThat(reply.status()).isEqualTo(200);
    assertThat(api.send("GET", "/api/topology", null, null, Optional.empty()).status()).isEqualTo(200);
    assertThat(api.send("GET", "/api/groups", null, "text/plain", Optional.empty()).status()).isEqualTo(200);
  }
}
