package dev.rekko.node.demo;

import static dev.rekko.node.demo.TopologyStub.Answer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rekko.node.CliException;
import dev.rekko.node.demo.ClusterReadiness.Endpoint;
import dev.rekko.node.demo.TopologyStub.Answer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the demo decides it is ready, against stand-in nodes: HTTP stubs and a RESP port answering PONG. */
class DemoReadinessTest {
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private TopologyStub http(Answer... answers) throws IOException {
    TopologyStub stub = TopologyStub.start(0, answers);
    open.add(stub);
    return stub;
  }

  private PongServer pong() throws IOException {
    PongServer p = PongServer.start(0);
    open.add(p);
    return p;
  }

  private static Endpoint endpoint(int index, TopologyStub http, int respPort) {
    return new Endpoint(index, "127.0.0.1", http.port(), "127.0.0.1", respPort, "");
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void waitsUntilEveryNodeIsReady() throws Exception {
    // Node 0 goes through what a starting node shows: no API yet, not loaded, partly seeded, joining.
    TopologyStub first = http(new Answer(404, "{}"), json(TopologyJson.notLoaded()),
        json(TopologyJson.of(true, 2, 1000, List.of("UP", "UP"))),
        json(TopologyJson.of(true, 3, 0, List.of("UP", "JOINING"))),
        json(TopologyJson.ready(2, 3)));
    TopologyStub second = http(json(TopologyJson.ready(2, 3)));
    PongServer resp = pong();
    ClusterReadiness readiness = new ClusterReadiness(
        List.of(endpoint(0, first, resp.port()), endpoint(1, second, resp.port())), List.of());

    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> readiness.await(Duration.ofSeconds(50)));
    assertThat(first.requests()).isGreaterThanOrEqualTo(5);
    assertThat(readiness.missing()).isEmpty();
  }

  @Test
  void theTimeoutNamesWhatEachNodeLacks() throws Exception {
    PongServer resp = pong();
    List<Endpoint> endpoints = List.of(
        endpoint(0, http(json(TopologyJson.ready(5, 5))), resp.port()),
        endpoint(1, http(json(TopologyJson.notLoaded())), resp.port()),
        endpoint(2, http(new Answer(404, "{\"error\":\"no such resource: GET /api/topology\"}")), resp.port()),
        endpoint(3, http(json(TopologyJson.of(true, 4, 24, List.of("UP", "UP", "JOINING", "UP", "UP")))), closedPort()),
        new Endpoint(4, "127.0.0.1", closedPort(), "127.0.0.1", resp.port(), ""));
    ClusterReadiness readiness = new ClusterReadiness(endpoints, List.of());

    assertThatThrownBy(() -> readiness.await(Duration.ofMillis(200)))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith("the demo's nodes were not ready within 200 ms:\n")
        .hasMessageNotContaining("node 0 ")
        .hasMessageContaining("\n  node 1 (http " + endpoints.get(1).httpPort() + "): not loaded\n")
        .hasMessageContaining("\n  node 2 (http " + endpoints.get(2).httpPort() + "): GET /api/topology answered 404\n")
        .hasMessageContaining("\n  node 3 (http " + endpoints.get(3).httpPort() + "): 24 of 1024 slots OFFLINE; "
            + "not UP: pekko://rekko@127.0.0.1:2553 JOINING; "
            + "RESP " + endpoints.get(3).respPort() + " not answering (")
        .hasMessageContaining("at epoch 4, another node at 5")
        .hasMessageEndingWith("\n  node 4 (http " + endpoints.get(4).httpPort() + "): HTTP not answering (connection refused)");
  }

  @Test
  void anAnswerThatIsNotJsonIsNotReady() throws Exception {
    TopologyStub http = http(json("<html>hello</html>"));
    ClusterReadiness readiness = new ClusterReadiness(List.of(endpoint(0, http, pong().port())), List.of());
    assertThat(readiness.missing()).hasEntrySatisfying(0,
        problems -> assertThat(problems).singleElement().asString().startsWith("GET /api/topology answered no JSON"));
  }

  @Test
  void aRespPortThatDoesNotAnswerPongIsNotReady() throws Exception {
    // A loaded topology is not enough: the node must serve its clients too.
    TopologyStub http = http(json(TopologyJson.ready(1, 1)));
    ClusterReadiness readiness = new ClusterReadiness(List.of(endpoint(0, http, closedPort())), List.of());
    assertThat(readiness.missing()).hasEntrySatisfying(0,
        problems -> assertThat(problems).singleElement().asString().startsWith("RESP ").contains("not answering"));
  }

  @Test
  void aNodeThatExitsFailsTheWaitAtOnceWithTheEndOfItsOutput() throws Exception {
    TopologyStub http = http(json(TopologyJson.notLoaded()));
    DemoNode exited = new DemoNode() {
      @Override
      public OptionalInt exitCode() {
        return OptionalInt.of(1);
      }

      @Override
      public String logTail() {
        return "starting\nnode failed to start: Bind failed because of Address already in use";
      }

      @Override
      public void close() {
      }
    };
    ClusterReadiness readiness = new ClusterReadiness(List.of(endpoint(0, http, pong().port())), List.of(exited));
    // The deadline is far beyond the test's own: only an immediate failure passes.
    assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
        assertThatThrownBy(() -> readiness.await(Duration.ofMinutes(30)))
            .isInstanceOf(CliException.class)
            .hasMessage("node 0 exited with code 1 before the demo was ready; the end of its output:\n"
                + "  starting\n  node failed to start: Bind failed because of Address already in use"));
  }

  @Test
  void topologyCheckCountsSlotsAndNodes() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertThat(TopologyCheck.problems(json.readTree(TopologyJson.ready(3, 7)), 3)).isEmpty();
    assertThat(TopologyCheck.epoch(json.readTree(TopologyJson.ready(3, 7)))).hasValue(7);
    assertThat(TopologyCheck.problems(json.readTree(TopologyJson.notLoaded()), 3)).containsExactly("not loaded");
    assertThat(TopologyCheck.problems(json.readTree(TopologyJson.ready(2, 7)), 3))
        .containsExactly("sees 2 of 3 nodes");
    assertThat(TopologyCheck.problems(json.readTree(TopologyJson.ready(4, 7)), 3))
        .containsExactly("sees 4 nodes, expects 3");
    assertThat(TopologyCheck.problems(
        json.readTree(TopologyJson.of(true, 7, 1024, List.of("UP", "LEAVING", "FENCED"))), 3))
        .containsExactly("1024 of 1024 slots OFFLINE",
            "not UP: pekko://rekko@127.0.0.1:2552 LEAVING, pekko://rekko@127.0.0.1:2553 FENCED");
    // An answer without slots has seeded none of them.
    assertThat(TopologyCheck.problems(json.readTree("{\"loaded\":true,\"epoch\":1,\"nodes\":[{\"state\":\"UP\"}]}"), 1))
        .containsExactly("1024 of 1024 slots OFFLINE");
  }
}
