package dev.rekko.coordinator.http;

import static dev.rekko.coordinator.http.ApiTestServer.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.coordinator.Coordinator;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** With a token set, POST and DELETE need {@code Authorization: Bearer <token>}; GET does not. */
class AdminApiTokenTest {
  @RegisterExtension
  static final ApiTestServer api = new ApiTestServer("admin-api-token", TOKEN, Duration.ofSeconds(5));

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
      POST   | /api/rebalance                           |
      POST   | /api/rebalance?confirm=true              |
      """;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = MUTATING)
  void withoutCredentialsEveryMutatingCallIsUnauthorizedAndAsksNothing(String method, String path, String body)
      throws Exception {
    var probe = api.monitor();
    api.coordinator.answer(new Coordinator.GroupRemoved(3));
    for (String header : new String[] {null, "Basic YWRtaW46czNjcmV0", "Bearer", "Bearer   ", TOKEN}) {
      var reply = api.send(method, path, body, Optional.ofNullable(header));
      assertThat(reply.status()).as(String.valueOf(header)).isEqualTo(401);
      assertThat(reply.error()).isEqualTo("this call needs Authorization: Bearer <token>");
      assertThat(reply.header("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }
    assertNothingReachedTheCoordinator(probe);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = MUTATING)
  void aWrongTokenIsForbiddenAndAsksNothing(String method, String path, String body) throws Exception {
    var probe = api.monitor();
    api.coordinator.answer(new Coordinator.GroupRemoved(3));
    for (String token : new String[] {"wrong", TOKEN + "x", TOKEN.substring(1), TOKEN.toUpperCase()}) {
      var reply = api.send(method, path, body, Optional.of("Bearer " + token));
      assertThat(reply.status()).as(token).isEqualTo(403);
      assertThat(reply.error()).isEqualTo("wrong admin token");
    }
    assertNothingReachedTheCoordinator(probe);
  }

  @Test
  void theTokenIsCheckedBeforeTheBody() throws Exception {
    var reply = api.send("POST", "/api/groups", "not json", Optional.of("Bearer wrong"));
    assertThat(reply.status()).isEqualTo(403);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Bearer ", "bearer ", "BEARER  "})
  void theRightTokenPassesWhateverTheSchemeCase(String scheme) throws Exception {
    var probe = api.monitor();
    api.coordinator.answer(new Coordinator.GroupRemoved(3));
    var reply = api.send("DELETE", "/api/groups/3", null, Optional.of(scheme + TOKEN));
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().get("removed").asInt()).isEqualTo(3);
    probe.expectMessageClass(Coordinator.RemoveGroup.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/topology", "/api/slots", "/api/slots/3", "/api/groups", "/api/groups/1",
      "/api/nodes"})
  void readsNeedNoToken(String path) throws Exception {
    assertThat(api.get(path).status()).isEqualTo(200);
  }

  /** The next call that passes is the first command the coordinator sees. */
  private static void assertNothingReachedTheCoordinator(TestProbe<Coordinator.Command> probe) throws Exception {
    var ok = api.send("POST", "/api/rebalance", null, Optional.of("Bearer " + TOKEN));
    assertThat(ok.status()).isEqualTo(200);
    probe.expectMessageClass(Coordinator.PlanRebalance.class);
  }
}
