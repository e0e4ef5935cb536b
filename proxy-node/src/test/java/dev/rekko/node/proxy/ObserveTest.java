package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rekko.protocol.SlotHash;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * The node's own slow log (SLOWLOG, CONFIG slowlog-*, {@code /api/slowlog}), hot keys and big keys, through
 * a node in front of two real Redis servers. The slow log's threshold is set to 0 (every command) or -1
 * (none), so that nothing depends on how long a command takes.
 */
class ObserveTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(2)
      .set("rekko.observe.hotkeys.sample-rate", "0.5")
      .set("rekko.observe.bigkeys.threshold", "1kb")
      .perClass();

  private static JsonNode get(String path, int status) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + fx.node().httpPort() + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }

  @Test
  void slowLogIsTheNodesOwnWithRedisRepliesAndTheBackend() throws Exception {
    RespSocket c = fx.socket();
    assertThat(c.call("CONFIG", "GET", "slowlog-log-slower-than")).isEqualTo(List.of("slowlog-log-slower-than", "10000"));
    assertThat(c.call("CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "5")).isEqualTo("OK");
    assertThat(c.call("SLOWLOG", "RESET")).isEqualTo("OK");
    assertThat(c.call("CLIENT", "SETNAME", "observer")).isEqualTo("OK");
    assertThat(c.call("SET", "slow:k", "v")).isEqualTo("OK");

    List<?> entries = (List<?>) c.call("SLOWLOG", "GET", "1");
    assertThat(entries).hasSize(1);
    List<?> set = (List<?>) entries.get(0);
    assertThat(set).hasSize(7);
    assertThat(set.get(0)).isInstanceOf(Long.class);
    assertThat((Long) set.get(1)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
    assertThat((Long) set.get(2)).isGreaterThanOrEqualTo(0);
    assertThat(set.get(3)).isEqualTo(List.of("SET", "slow:k", "v"));
    assertThat((String) set.get(4)).startsWith("127.0.0.1:");
    assertThat(set.get(5)).isEqualTo("observer");
    assertThat(set.get(6)).isEqualTo(fx.masterOf("slow:k").address());

    // The node answers SLOWLOG itself: no backend.
    List<?> newest = (List<?>) ((List<?>) c.call("SLOWLOG", "GET", "1")).get(0);
    assertThat(newest.get(3)).isEqualTo(List.of("SLOWLOG", "GET", "1"));
    assertThat(newest.get(6)).isEqualTo("");

    // Redis's truncation and redaction.
    String[] many = new String[40];
    many[0] = "RPUSH";
    many[1] = "slow:list";
    for (int i = 2; i < many.length; i++) {
      many[i] = Integer.toString(i);
    }
    c.call(many);
    List<?> args = (List<?>) ((List<?>) ((List<?>) c.call("SLOWLOG", "GET", "2")).get(0)).get(3);
    assertThat(args).hasSize(32);
    assertThat(args.get(31)).isEqualTo("... (9 more arguments)");
    c.call("SET", "slow:long", "x".repeat(200));
    c.call("AUTH", "someone", "secret");
    List<?> log = (List<?>) c.call("SLOWLOG", "GET", "3");
    assertThat(((List<?>) log.get(0)).get(3)).isEqualTo(List.of("AUTH", "(redacted)", "(redacted)"));
    assertThat(((List<?>) log.get(1)).get(3)).isEqualTo(List.of("SET", "slow:long", "x".repeat(128) + "... (72 more bytes)"));

    assertThat(c.call("SLOWLOG", "LEN")).isEqualTo(5L);
    assertThat(c.call("CONFIG", "GET", "slowlog-m*")).isEqualTo(List.of("slowlog-max-len", "5"));
    JsonNode api = get("/api/slowlog?count=2", 200);
    assertThat(api.get("len").asInt()).isEqualTo(5);
    assertThat(api.get("maxLen").asInt()).isEqualTo(5);
    assertThat(api.get("slowerThanUsec").asInt()).isEqualTo(0);
    assertThat(api.get("entries")).hasSize(2);
    assertThat(api.get("entries").get(0).get("args").get(0).asText()).isEqualTo("CONFIG");
    assertThat(api.get("entries").get(0).get("clientName").asText()).isEqualTo("observer");
    JsonNode cluster = get("/api/slowlog?scope=cluster", 200);
    assertThat(cluster.get("errors")).isEmpty();
    assertThat(cluster.get("entries").get(0).get("node").asText()).isEqualTo(fx.node().cluster().selfAddress());
    get("/api/slowlog?count=x", 400);

    // Redis's errors.
    assertThat(c.call("SLOWLOG", "GET", "-2")).isEqualTo(new RespSocket.Err("ERR count should be greater than or equal to -1"));
    assertThat(c.call("SLOWLOG", "GET", "abc")).isEqualTo(new RespSocket.Err("ERR count should be greater than or equal to -1"));
    assertThat(c.call("SLOWLOG", "GET", "1", "2")).isEqualTo(new RespSocket.Err(
        "ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP."));
    assertThat(c.call("SLOWLOG", "LEN", "x")).isEqualTo(new RespSocket.Err("ERR wrong number of arguments for 'slowlog|len' command"));
    assertThat(c.call("SLOWLOG", "FOO")).isEqualTo(new RespSocket.Err("ERR unknown subcommand 'FOO'. Try SLOWLOG HELP."));
    assertThat(c.call("CONFIG", "SET", "slowlog-max-len", "-1")).isEqualTo(new RespSocket.Err(
        "ERR CONFIG SET failed (possibly related to argument 'slowlog-max-len') - argument must be between 0 and "
            + Long.MAX_VALUE + " inclusive"));
    assertThat((String) ((List<?>) c.call("SLOWLOG", "HELP")).get(0)).startsWith("SLOWLOG <subcommand>");

    // Off: nothing more is logged. A mixed CONFIG SET goes to the servers too.
    assertThat(c.call("CONFIG", "SET", "slowlog-log-slower-than", "-1", "hash-max-listpack-entries", "128")).isEqualTo("OK");
    long len = (Long) c.call("SLOWLOG", "LEN");
    c.call("GET", "slow:k");
    assertThat(c.call("SLOWLOG", "LEN")).isEqualTo(len);
    assertThat(fx.direct(fx.master(2)).configGet("slowlog-log-slower-than").get("slowlog-log-slower-than"))
        .as("the servers keep their own").isEqualTo("10000");
    assertThat(c.call("CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128")).isEqualTo("OK");
  }

  /** The test: under a skewed load the hot key is listed first, with its slot and group. */
  @Test
  void hotKeyOfASkewedLoadComesFirst() throws Exception {
    String hot = fx.keyInGroup("hot:", 2);
    Jedis j = fx.jedis();
    Pipeline p = j.pipelined();
    for (int i = 0; i < 3000; i++) {
      p.get(hot);
      if (i % 3 == 0) {
        p.get("cold:" + i);
      }
    }
    p.sync();
    JsonNode keys = get("/api/hotkeys?count=5", 200);
    assertThat(keys.get("sampleRate").asDouble()).isEqualTo(0.5);
    JsonNode first = keys.get("keys").get(0);
    assertThat(first.get("key").asText()).isEqualTo(hot);
    assertThat(first.get("slot").asInt()).isEqualTo(SlotHash.slot(hot));
    assertThat(first.get("group").asInt()).isEqualTo(2);
    if (keys.get("keys").size() > 1) {
      assertThat(first.get("count").asLong()).isGreaterThan(keys.get("keys").get(1).get("count").asLong());
    }
    JsonNode cluster = get("/api/hotkeys?scope=cluster&count=5", 200);
    assertThat(cluster.get("keys").get(0).get("key").asText()).isEqualTo(hot);
    assertThat(cluster.get("errors")).isEmpty();
  }

  @Test
  void bigRequestsAndRepliesAreRecorded() throws Exception {
    var big = fx.node().context().observe().bigKeys();
    long requests = big.bigKeys(dev.rekko.node.observe.BigKeys.Direction.REQUEST);
    long replies = big.bigKeys(dev.rekko.node.observe.BigKeys.Direction.REPLY);
    Jedis j = fx.jedis();
    j.set("big:one", "v".repeat(4000));
    assertThat(j.get("big:one")).hasSize(4000);
    JsonNode api = get("/api/bigkeys", 200);
    assertThat(api.get("thresholdBytes").asLong()).isEqualTo(1024);
    List<String> seen = new ArrayList<>();
    for (JsonNode k : api.get("keys")) {
      if (k.get("key").asText().equals("big:one")) {
        seen.add(k.get("command").asText() + " " + k.get("direction").asText());
        assertThat(k.get("bytes").asLong()).isGreaterThan(4000);
      }
    }
    assertThat(seen).containsExactly("GET reply", "SET request");
    assertThat(big.bigKeys(dev.rekko.node.observe.BigKeys.Direction.REQUEST)).isEqualTo(requests + 1);
    assertThat(big.bigKeys(dev.rekko.node.observe.BigKeys.Direction.REPLY)).isEqualTo(replies + 1);
    JsonNode cluster = get("/api/bigkeys?scope=cluster", 200);
    assertThat(cluster.get("keys").get(0).get("node").asText()).isEqualTo(fx.node().cluster().selfAddress());
  }
}
