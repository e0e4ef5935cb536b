package dev.rekko.coordinator.http;

import dev.rekko.protocol.SlotHash;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rekko.coordinator.Coordinator.Command;
import dev.rekko.topology.GroupInfo;
import dev.rekko.topology.NodeInfo;
import dev.rekko.topology.NodeState;
import dev.rekko.topology.ServerInfo;
import dev.rekko.topology.ServerRole;
import dev.rekko.topology.SlotInfo;
import dev.rekko.topology.SlotState;
import dev.rekko.topology.Topology;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The API bound on 127.0.0.1 at a free port, behind the same JSON rejection handling as the node's
 * AdminHttpServer, with a {@link CannedCoordinator} and a fixed {@link #TOPOLOGY}; requests go through
 * {@link HttpClient}, so paths, encodings and headers are the real ones. One for a whole test class:
 * {@code @RegisterExtension static final ApiTestServer api = new ApiTestServer(...);} binds before the
 * class's tests and stops after them.
 */
final class ApiTestServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  static final String TOKEN = "s3cret-token";
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Group 1: master up, replica down, in two datacenters; group 2: master of unknown health; group 3:
   * empty. Slots 0-511 at group 1, 512-1022 at group 2, 1023 migrating from 2 to 1. Two nodes.
   */
  static final Topology TOPOLOGY = topology();

  final CannedCoordinator coordinator = new CannedCoordinator();
  final AtomicReference<Topology> topology = new AtomicReference<>(TOPOLOGY);
  private final String name;
  private final AdminApiSettings settings;
  private ActorTestKit kit;
  private ServerBinding binding;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  ApiTestServer(String name, String token, Duration askTimeout) {
    this.name = name;
    this.settings = new AdminApiSettings(token, askTimeout);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    kit = ActorTestKit.create(name);
    var ref = kit.spawn(coordinator.behavior(), "coordinator");
    Map<String, Boolean> health = Map.of("127.0.0.1:6379", true, "127.0.0.1:6380", false);
    Route api = AdminApi.routes(kit.system(), ref, topology::get, addr -> Optional.ofNullable(health.get(addr)),
        settings);
    binding = Http.get(kit.system()).newServerAt("127.0.0.1", 0).bind(withJsonRejections(api))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A fresh probe that sees every command the coordinator gets from now on. */
  TestProbe<Command> monitor() {
    TestProbe<Command> probe = kit.createTestProbe();
    coordinator.monitor.set(probe.ref());
    return probe;
  }

  Reply get(String path) throws Exception {
    return send("GET", path, null, Optional.empty());
  }

  /** Calls other than GET say {@code Content-Type: application/json}, as the API requires. */
  Reply send(String method, String path, String body, Optional<String> authorization) throws Exception {
    return send(method, path, body, method.equals("GET") ? null : "application/json", authorization);
  }

  /** @param contentType null: no Content-Type header */
  Reply send(String method, String path, String body, String contentType, Optional<String> authorization)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .timeout(Duration.ofSeconds(20));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    authorization.ifPresent(value -> request.header("Authorization", value));
    HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response, json(response.body()));
  }

  record Reply(int status, HttpResponse<String> raw, JsonNode json) {
    String error() {
      return json.path("error").asText();
    }

    Optional<String> header(String name) {
      return raw.headers().firstValue(name);
    }
  }

  static JsonNode json(String text) {
    try {
      return text.isEmpty() ? JSON.missingNode() : JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void close() {
    if (kit == null) {
      return;
    }
    try {
      if (binding != null) {
        binding.terminate(Duration.ofSeconds(3)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("the test server did not stop", e);
    } finally {
      kit.shutdownTestKit();
    }
  }

  /** As the node's AdminHttpServer does it: unmatched is a JSON 404, other rejections keep status in JSON. */
  private static Route withJsonRejections(Route api) {
    Directives d = new Directives();
    RejectionHandler rejections = RejectionHandler.newBuilder()
        .handleNotFound(d.extractRequest(request -> d.complete(HttpJson.error(StatusCodes.NOT_FOUND,
            "no such resource: " + request.method().name() + " " + request.getUri().path()))))
        .build()
        .withFallback(RejectionHandler.defaultHandler().mapRejectionResponse(HttpJson::asJsonError));
    return d.handleRejections(rejections, () -> api);
  }

  private static Topology topology() {
    TreeMap<Integer, GroupInfo> groups = new TreeMap<>();
    groups.put(1, new GroupInfo(1, List.of(
        new ServerInfo("127.0.0.1:6379", ServerRole.MASTER, "dc1", "7.2.4"),
        new ServerInfo("127.0.0.1:6380", ServerRole.REPLICA, "dc2", "7.2.4")), false, 3));
    groups.put(2, new GroupInfo(2, List.of(ServerInfo.master("127.0.0.1:6381")), true, 4));
    groups.put(3, new GroupInfo(3, List.of(), false, 5));
    List<SlotInfo> slots = new ArrayList<>();
    for (int i = 0; i < SlotHash.SLOTS - 1; i++) {
      slots.add(SlotInfo.online(i, i < 512 ? 1 : 2, 1));
    }
    slots.add(new SlotInfo(1023, SlotState.MIGRATING, 2, 1, 6));
    TreeMap<String, NodeInfo> nodes = new TreeMap<>();
    nodes.put("pekko://rekko@127.0.0.1:2551",
        new NodeInfo("pekko://rekko@127.0.0.1:2551", "127.0.0.1:19000", "127.0.0.1:11080", NodeState.UP, 6));
    nodes.put("pekko://rekko@127.0.0.1:2552",
        new NodeInfo("pekko://rekko@127.0.0.1:2552", "127.0.0.1:19001", "127.0.0.1:11081", NodeState.JOINING, 5));
    return new Topology(0, groups, slots, nodes, true, true);
  }

  private static final class Directives extends AllDirectives {}
}
