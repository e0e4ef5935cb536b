package dev.rekko.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The records go through the serializer reference.conf binds them to, and their JSON is the API's. */
class TopologySerializationTest {
  private static ActorSystem<Void> system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "serialization", ConfigFactory.load());
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  @Test
  void everyRecordRoundTripsThroughJacksonCbor() {
    Topology topology = sample();
    GroupInfo failedOver = topology.group(1).orElseThrow().withSwitching(true, 7)
        .withLastFailover(new FailoverInfo("failover", "down for the quorum", "10.0.0.1:6379", "10.0.0.2:6379",
            1_700_000_000_000L, 420), 8);
    List<Object> values = List.of(topology, topology.group(1).orElseThrow(), failedOver,
        topology.nodes().get("pekko://rekko@127.0.0.1:2551"), ServerInfo.replica("10.0.0.2:6379"),
        Topology.EMPTY);
    Serialization serialization = SerializationExtension.get(system.classicSystem());
    for (Object value : values) {
      var serializer = serialization.findSerializerFor(value);
      assertThat(serializer.getClass().getSimpleName()).isEqualTo("JacksonCborSerializer");
      byte[] bytes = serialization.serialize(value).get();
      Object back = serialization.deserialize(bytes, serializer.identifier(),
          Serializers.manifestFor(serializer, value)).get();
      assertThat(back).isEqualTo(value);
    }
  }

  @Test
  void slotInfoRoundTripsInItsCompactFormInEveryState() {
    Serialization serialization = SerializationExtension.get(system.classicSystem());
    for (SlotState state : SlotState.values()) {
      SlotInfo slot = new SlotInfo(1023, state, 7, 65_000, Long.MAX_VALUE - 1);
      var serializer = serialization.findSerializerFor(slot);
      assertThat(serializer).isInstanceOf(SlotInfoSerializer.class);
      byte[] bytes = serialization.serialize(slot).get();
      assertThat(bytes).hasSize(20);
      assertThat(serialization.deserialize(bytes, serializer.identifier(), "S").get()).isEqualTo(slot);
    }
  }

  @Test
  void slotInfoStoredByJacksonCborEarlierIsStillRead() {
    Serialization serialization = SerializationExtension.get(system.classicSystem());
    SlotInfo slot = new SlotInfo(3, SlotState.MIGRATING, 1, 2, 5);
    var cbor = serialization.findSerializerFor(sample().group(1).orElseThrow());
    assertThat(cbor.getClass().getSimpleName()).isEqualTo("JacksonCborSerializer");
    byte[] bytes = cbor.toBinary(slot);
    assertThat(serialization.deserialize(bytes, cbor.identifier(), Serializers.manifestFor(cbor, slot)).get())
        .isEqualTo(slot);
  }

  @Test
  void aCorruptSlotInfoIsRefused() {
    Serialization serialization = SerializationExtension.get(system.classicSystem());
    assertThat(serialization.deserialize(new byte[] {1, 2, 3}, SlotInfoSerializer.IDENTIFIER, "S").isFailure())
        .isTrue();
    byte[] badState = new byte[20];
    badState[0] = 1;
    badState[3] = 42;
    assertThat(serialization.deserialize(badState, SlotInfoSerializer.IDENTIFIER, "S").isFailure()).isTrue();
  }

  @Test
  void aGroupStoredBeforeFailoverInfoExistedIsStillRead() throws Exception {
    ObjectMapper json = JacksonObjectMapperProvider.get(system.classicSystem())
        .getOrCreate("jackson-json", Optional.empty());
    GroupInfo old = json.readValue("{\"id\":2,\"servers\":[{\"addr\":\"10.0.0.3:6379\",\"role\":\"MASTER\"}],"
        + "\"replicaRead\":true,\"epoch\":4}", GroupInfo.class);
    assertThat(old).isEqualTo(new GroupInfo(2, List.of(ServerInfo.master("10.0.0.3:6379")), true, 4));
    assertThat(old.switching()).isFalse();
    assertThat(old.lastFailover()).isNull();
  }

  @Test
  void topologyJsonHasTheApiShape() throws Exception {
    ObjectMapper json = JacksonObjectMapperProvider.get(system.classicSystem())
        .getOrCreate("jackson-json", Optional.empty());
    JsonNode node = json.readTree(json.writeValueAsString(sample()));
    assertThat(fields(node)).containsExactly("epoch", "groups", "slots", "nodes", "bootstrapped", "loaded",
        "migrationsPaused", "moverThrottle");
    assertThat(node.get("epoch").asLong()).isEqualTo(5);
    assertThat(node.get("groups").isArray()).isTrue();
    JsonNode group = node.get("groups").get(0);
    assertThat(group.get("id").asInt()).isEqualTo(1);
    assertThat(fields(group)).containsExactly("id", "servers", "replicaRead", "epoch", "switching",
        "lastFailover");
    JsonNode server = group.get("servers").get(0);
    assertThat(fields(server)).containsExactly("addr", "role", "datacenter", "redisVersion");
    assertThat(server.get("addr").asText()).isEqualTo("10.0.0.1:6379");
    assertThat(server.get("role").asText()).isEqualTo("MASTER");
    assertThat(server.get("datacenter").asText()).isEqualTo("dc1");
    assertThat(node.get("slots")).hasSize(1024);
    JsonNode slot = node.get("slots").get(3);
    assertThat(fields(slot)).containsExactly("id", "state", "group", "target", "epoch");
    assertThat(slot.get("id").asInt()).isEqualTo(3);
    assertThat(slot.get("state").asText()).isEqualTo("MIGRATING");
    assertThat(slot.get("group").asInt()).isEqualTo(1);
    assertThat(slot.get("target").asInt()).isEqualTo(2);
    assertThat(slot.get("epoch").asLong()).isEqualTo(5);
    assertThat(node.get("nodes").isArray()).isTrue();
    assertThat(fields(node.get("nodes").get(0)))
        .containsExactly("address", "resp", "http", "state", "appliedEpoch");
    assertThat(node.get("nodes").get(0).get("resp").asText()).isEqualTo("127.0.0.1:19000");
    assertThat(json.readValue(json.writeValueAsString(sample()), Topology.class)).isEqualTo(sample());
  }

  @Test
  void referenceConfMakesTheTopologyKeysDurable() {
    var config = ConfigFactory.load();
    assertThat(config.getStringList("pekko.cluster.distributed-data.durable.keys")).contains("rekko-*");
    assertThat(TopologyKeys.all()).allMatch(k -> k.id().startsWith("rekko-")).hasSize(19);
  }

  private static List<String> fields(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static Topology sample() {
    var groups = new TreeMap<Integer, GroupInfo>();
    groups.put(1, new GroupInfo(1, List.of(
        new ServerInfo("10.0.0.1:6379", ServerRole.MASTER, "dc1", "7.0.15"),
        new ServerInfo("10.0.0.2:6379", ServerRole.REPLICA, "dc2", "7.0.15")), true, 2));
    groups.put(2, new GroupInfo(2, List.of(ServerInfo.master("10.0.0.3:6379")), false, 3));
    var slots = Topology.offlineSlots();
    slots.set(0, SlotInfo.online(0, 1, 1));
    slots.set(3, new SlotInfo(3, SlotState.MIGRATING, 1, 2, 5));
    var nodes = new TreeMap<String, NodeInfo>();
    nodes.put("pekko://rekko@127.0.0.1:2551", new NodeInfo("pekko://rekko@127.0.0.1:2551", "127.0.0.1:19000",
        "127.0.0.1:11080", NodeState.UP, 5));
    return new Topology(0, groups, slots, nodes, true, true);
  }
}
