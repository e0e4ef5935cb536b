package dev.rekko.redis.backend;

import static dev.rekko.redis.backend.BackendCalls.awaitTrue;
import static dev.rekko.redis.backend.BackendCalls.queue;
import static dev.rekko.redis.backend.BackendCalls.send;
import static dev.rekko.redis.backend.BackendCalls.up;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.resp.Reply;
import dev.rekko.redis.launcher.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A backend connection matches replies to commands first in, first out, across many commands in one
 * write and replies split over many reads; and when it fails, every command it still owes a reply fails,
 * in the order it was sent. Against a real server.
 */
class BackendConnectionTest {
  private static final long WAIT_SECONDS = 15;
  private RedisServer server;
  private BackendPool pool;
  private Jedis direct;

  @BeforeEach
  void start() {
    server = RedisServer.builder().start();
    direct = new Jedis(server.host(), server.port());
  }

  @AfterEach
  void stop() {
    if (pool != null) {
      pool.close();
    }
    direct.close();
    server.close();
  }

  private BackendConnection connection(Duration reconnectBackoff) {
    pool = new BackendPool(new BackendOptions("", "", 1, Duration.ofSeconds(2), Duration.ofSeconds(30),
        reconnectBackoff, reconnectBackoff, Duration.ofSeconds(5)), 1);
    return pool.connection(new BackendAddress(server.host(), server.port()), 0, 0);
  }

  private BackendConnection connection() {
    return connection(Duration.ofMillis(50));
  }

  @Test
  void repliesGoToTheirCommandsInOrderAcrossOneWriteAndManyReads() throws Exception {
    BackendConnection c = up(connection(), WAIT_SECONDS);
    String big = "x".repeat(300_000);
    List<CompletableFuture<String>> replies = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      replies.add(queue(c, "SET", "k" + i, i % 50 == 0 ? big : "v" + i));
      expected.add("+OK");
      replies.add(queue(c, "GET", "k" + i));
      expected.add(i % 50 == 0 ? "$300000\r\n" + big : "$" + ("v" + i).length() + "\r\nv" + i);
      replies.add(queue(c, "ECHO", Integer.toString(i)));
      expected.add("$" + Integer.toString(i).length() + "\r\n" + i);
    }
    c.flush();
    List<String> got = new ArrayList<>();
    for (CompletableFuture<String> r : replies) {
      got.add(r.get(WAIT_SECONDS, TimeUnit.SECONDS));
    }
    assertThat(got).containsExactlyElementsOf(expected);
    assertThat(c.inFlight()).isZero();
  }

  @Test
  void commandsSentBeforeTheHandshakeWaitForItAndKeepTheirOrder() throws Exception {
    BackendConnection c = connection();
    List<CompletableFuture<String>> replies = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      replies.add(send(c, "INCR", "n"));
    }
    for (int i = 1; i <= 100; i++) {
      assertThat(replies.get(i - 1).get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(":" + i);
    }
  }

  @Test
  void anErrorReplyIsTheCommandsReplyAndTheNextOnesKeepTheirOwn() throws Exception {
    BackendConnection c = up(connection(), WAIT_SECONDS);
    direct.set("s", "not a number");
    CompletableFuture<String> incr = queue(c, "INCR", "s");
    CompletableFuture<String> unknown = queue(c, "NOSUCHCOMMAND");
    CompletableFuture<String> get = queue(c, "GET", "s");
    c.flush();
    assertThat(incr.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("-ERR value is not an integer or out of range");
    assertThat(unknown.get(WAIT_SECONDS, TimeUnit.SECONDS)).startsWith("-ERR unknown command");
    assertThat(get.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("$12\r\nnot a number");
    assertThat(c.isUp()).as("an error reply is no failure").isTrue();
  }

  @Test
  void aConnectionClosedMidPipelineFailsEveryCommandItOwesInOrder() throws Exception {
    BackendConnection c = up(connection(), WAIT_SECONDS);
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    // BLPOP blocks the connection on the server: the commands behind it wait unanswered.
    byte[] blpop = encode("BLPOP", "q", "0");
    c.send(blpop, 0, blpop.length, recorder("blpop", events));
    for (int i = 0; i < 5; i++) {
      byte[] cmd = encode("SET", "k" + i, "v");
      c.send(cmd, 0, cmd.length, recorder("set" + i, events));
    }
    c.flush();
    awaitTrue("BLPOP blocked on the server", WAIT_SECONDS, () -> direct.clientList().contains("cmd=blpop"));
    assertThat(events).isEmpty();
    direct.sendCommand(() -> "CLIENT".getBytes(StandardCharsets.US_ASCII), "KILL", "TYPE", "normal", "SKIPME", "yes");

    awaitTrue("every command failed", WAIT_SECONDS, () -> events.size() == 6);
    String error = "ERR backend " + server.host() + ":" + server.port() + " is down: connection closed by the server";
    assertThat(events).containsExactly("blpop failed: " + error, "set0 failed: " + error, "set1 failed: " + error,
        "set2 failed: " + error, "set3 failed: " + error, "set4 failed: " + error);
    assertThat(c.inFlight()).isZero();

    awaitTrue("reconnected", WAIT_SECONDS, c::isUp);
    assertThat(send(c, "ECHO", "again").get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("$5\r\nagain");
  }

  @Test
  void whileTheServerIsDownASendFailsAtOnceNamingIt() throws Exception {
    BackendConnection c = up(connection(Duration.ofSeconds(60)), WAIT_SECONDS);
    server.stop();
    awaitTrue("the connection noticed", WAIT_SECONDS, () -> !c.isUp());
    List<String> events = new ArrayList<>();
    byte[] cmd = encode("PING");
    c.send(cmd, 0, cmd.length, recorder("ping", events));
    assertThat(events).as("failed inside send").hasSize(1);
    assertThat(events.get(0)).startsWith("ping failed: ERR backend " + server.host() + ":" + server.port() + " is down");
  }

  @Test
  void aReplyNoCommandWaitsForFailsTheConnection() throws Exception {
    BackendConnection c = up(connection(Duration.ofSeconds(60)), WAIT_SECONDS);
    // A monitor is sent every other client's command: replies nobody asked for.
    assertThat(send(c, "MONITOR").get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("+OK");
    direct.set("x", "1");
    awaitTrue("the connection failed", WAIT_SECONDS, () -> !c.isUp());
    CompletableFuture<String> next = send(c, "PING");
    assertThat(next).isDone();
    assertThat(next.get()).startsWith("failed: ERR backend ").endsWith("a reply arrived that no command was waiting for");
  }

  @Test
  void closingFailsWhatIsInFlightAndEverythingAfter() throws Exception {
    BackendConnection c = up(connection(), WAIT_SECONDS);
    CompletableFuture<String> blpop = send(c, "BLPOP", "q", "0");
    awaitTrue("BLPOP blocked on the server", WAIT_SECONDS, () -> direct.clientList().contains("cmd=blpop"));
    c.close();
    String error = "ERR backend connection to " + server.host() + ":" + server.port() + " closed";
    assertThat(blpop.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("failed: " + error);
    assertThat(c.isClosed()).isTrue();
    assertThat(send(c, "PING").getNow("not failed at once")).isEqualTo("failed: " + error);
  }

  @Test
  void aDrainCompletesOnlyOnceEveryEarlierCommandIsAnswered() throws Exception {
    BackendConnection c = up(connection(), WAIT_SECONDS);
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    byte[] blpop = encode("BLPOP", "q", "0");
    c.send(blpop, 0, blpop.length, recorder("blpop", events));
    c.flush();
    awaitTrue("BLPOP blocked on the server", WAIT_SECONDS, () -> direct.clientList().contains("cmd=blpop"));
    CompletableFuture<Void> drained = c.drain().thenRun(() -> events.add("drained"));
    assertThat(drained).isNotDone();

    direct.lpush("q", "x");
    drained.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(events).containsExactly("blpop *2\r\n$1\r\nq\r\n$1\r\nx", "drained");
    assertThat(c.suspects()).isEmpty();
  }

  private static byte[] encode(String... args) {
    return Handshake.encode(args);
  }

  /** Records "label reply" (RESP text without its last line end) or "label failed: error". */
  private static ReplyHandler recorder(String label, List<String> events) {
    return new ReplyHandler() {
      @Override
      public void onReply(Reply r) {
        events.add(label + " " + new String(r.toByteArray(), StandardCharsets.UTF_8).stripTrailing());
      }

      @Override
      public void onFailure(String error) {
        events.add(label + " failed: " + error);
      }
    };
  }
}
