package dev.rekko.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.coordinator.Coordinator;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Requests the API cannot carry out are JSON errors with a fitting status, never a 500, and reach the
 * coordinator only when they are well-formed.
 */
class AdminApiErrorsTest {
  // A short ask timeout keeps the 503 test quick; the canned coordinator answers at once otherwise.
  @RegisterExtension
  static final ApiTestServer api = new ApiTestServer("admin-api-errors", "", Duration.ofMillis(300));

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      /api/groups                  | ``                               | the request needs a JSON object as its body
      /api/groups                  | {id: 3                           | the body is not valid JSON: Unexpected character
      /api/groups                  | [3]                              | the body must be a JSON object
      /api/groups                  | {}                               | field 'id' is missing
      /api/groups                  | {"id": null}                     | field 'id' is missing
      /api/groups                  | {"id": "3"}                      | field 'id' must be an integer, not "3"
      /api/groups                  | {"id": 3.5}                      | field 'id' must be an integer, not 3.5
      /api/groups                  | {"id": 3000000000}               | field 'id' must be an integer, not 3000000000
      /api/groups                  | {"id": 0}                        | field 'id' must be a positive group id, not 0
      /api/groups/1/servers        | {}                               | field 'addr' is missing
      /api/groups/1/servers        | {"addr": 6379}                   | field 'addr' must be a string, not 6379
      /api/groups/1/servers        | {"addr": "h:1", "datacenter": 5} | field 'datacenter' must be a string, not 5
      /api/groups/x/servers        | {"addr": "h:1"}                  | group id must be a number: x
      /api/groups/1/promote        | {"addr": true}                   | field 'addr' must be a string, not true
      /api/groups/1/replica-read   | {"enabled": "yes"}               | field 'enabled' must be true or false, not "yes"
      /api/groups/1/replica-read   | {}                               | field 'enabled' is missing
      /api/slots/assign            | {"from": 0, "to": 1024, "group": 1} | field 'to' must be a slot 0..1023, not 1024
      /api/slots/assign            | {"from": -1, "to": 3, "group": 1}   | field 'from' must be a slot 0..1023, not -1
      /api/slots/assign            | {"from": 5, "to": 1, "group": 1}    | 'from' (5) is after 'to' (1)
      /api/slots/assign            | {"from": 0, "to": 1}             | field 'group' is missing
      /api/rebalance?confirm=maybe | ``                               | confirm must be true or false, not maybe
      """)
  void malformedRequestsAreBadRequestsAndAskNothing(String path, String body, String message) throws Exception {
    var probe = api.monitor();
    api.coordinator.answer(new Coordinator.GroupRemoved(9));
    var reply = api.send("POST", path, body, Optional.empty());
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).startsWith(message);

    api.send("DELETE", "/api/groups/9", null, Optional.empty());
    probe.expectMessageClass(Coordinator.RemoveGroup.class);
  }

  @Test
  void anOperationOnAGroupIdNoGroupCanHaveIsNotFound() throws Exception {
    var probe = api.monitor();
    api.coordinator.answer(new Coordinator.GroupRemoved(9));
    var reply = api.send("POST", "/api/groups/0/promote", "{\"addr\": \"h:1\"}", Optional.empty());
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.error()).isEqualTo("no such group: 0");

    api.send("DELETE", "/api/groups/9", null, Optional.empty());
    probe.expectMessageClass(Coordinator.RemoveGroup.class);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"GET, /api/nope", "GET, /api/groups/1/nope", "POST, /api/slots/1/2", "GET, /api/groups/",
      "GET, /metrics"})
  void unknownPathsAreJson404(String method, String path) throws Exception {
    var reply = api.send(method, path, null, Optional.empty());
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.error()).isEqualTo("no such resource: " + method + " " + path);
  }

  @ParameterizedTest(name = "{0} {1} allows {2}")
  @CsvSource(delimiter = '|', value = {
      "PUT    | /api/groups             | GET, POST",
      "DELETE | /api/topology           | GET",
      "POST   | /api/nodes              | GET",
      "POST   | /api/slots              | GET",
      "GET    | /api/slots/assign       | POST",
      "GET    | /api/slots/migrate      | POST",
      "POST   | /api/slots/7            | GET",
      "PUT    | /api/groups/1           | GET, DELETE",
      "DELETE | /api/groups/1/servers   | POST",
      "GET    | /api/groups/1/promote   | POST",
      "GET    | /api/rebalance          | POST",
      "POST   | /api/migrations         | GET",
  })
  void wrongMethodsAreJson405WithAllow(String method, String path, String allowed) throws Exception {
    var reply = api.send(method, path, null, Optional.empty());
    assertThat(reply.status()).isEqualTo(405);
    assertThat(reply.error()).isEqualTo("HTTP method not allowed, supported methods: " + allowed);
    assertThat(reply.header("Allow")).contains(allowed);
  }

  @Test
  void aCoordinatorThatDoesNotAnswerIsServiceUnavailable() throws Exception {
    var probe = api.monitor();
    api.coordinator.silent();
    var reply = api.send("POST", "/api/groups", "{\"id\": 5}", Optional.empty());
    probe.expectMessageClass(Coordinator.CreateGroup.class);
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.error()).isEqualTo("coordinator did not answer within 300 ms");
  }
}
