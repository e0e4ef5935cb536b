package dev.rekko.redis.backend;

import static dev.rekko.redis.backend.BackendCalls.awaitTrue;
import static dev.rekko.redis.backend.BackendCalls.queue;
import static dev.rekko.redis.backend.BackendCalls.up;
import static org.assertj.core.api.Assertions.assertThat;

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
 * Durable writes against a real master and replica: a write is answered once the replica has it, one
 * WAIT per round that writes and none for reads or with durable writes off, replies behind a write held
 * in order until the WAIT answers, and writes no replica confirms (no replica, a connection that fails)
 * fail while reads keep their replies.
 */
class DurableWritesTest {
  private static final long WAIT_SECONDS = 20;
  private static final String NOT_CONFIRMED = "NOREPLICAS Not enough good replicas to write.";
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private RedisServer master;
  private Jedis onMaster;

  @BeforeEach
  void startMaster() {
    // A replica's first sync would otherwise wait five seconds for more replicas to join it.
    master = RedisServer.builder().config("repl-diskless-sync-delay 0").start();
    onMaster = new Jedis(master.host(), master.port());
  }

  @AfterEach
  void stop() throws Exception {
    Collections.reverse(toClose);
    for (AutoCloseable c : toClose) {
      c.close();
    }
    onMaster.close();
    master.close();
  }

  @Test
  void aWriteIsAnsweredOnceTheReplicaHasItAndSurvivesTheMastersDeath() throws Exception {
    Jedis onReplica = jedis(replica());
    // Most likely sent before the handshake has been answered: held, then released behind a WAIT.
    BackendConnection c = connection(Duration.ofSeconds(10));
    CompletableFuture<String> first = queue(c, true, "SET", "first", "1");
    c.flush();
    assertThat(first.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("+OK");
    assertThat(onReplica.get("first")).isEqualTo("1");
    up(c, WAIT_SECONDS);
    long waits = waitCalls();

    List<CompletableFuture<String>> sets = new ArrayList<>();
    List<CompletableFuture<String>> gets = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      sets.add(queue(c, true, "SET", "k" + i, "v" + i));
      gets.add(queue(c, false, "GET", "k" + i));
    }
    c.flush();
    for (int i = 0; i < 200; i++) {
      assertThat(sets.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("+OK");
      assertThat(gets.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("$" + ("v" + i).length() + "\r\nv" + i);
    }
    assertThat(waitCalls()).as("one WAIT for the round").isEqualTo(waits + 1);
    master.kill();
    for (int i = 0; i < 200; i++) {
      assertThat(onReplica.get("k" + i)).as("acknowledged, so on the replica").isEqualTo("v" + i);
    }
  }

  @Test
  void oneWaitPerRoundThatWritesAndNoneForReads() throws Exception {
    replica();
    BackendConnection c = up(connection(Duration.ofSeconds(10)), WAIT_SECONDS);
    for (int round = 1; round <= 3; round++) {
      List<CompletableFuture<String>> replies = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        replies.add(queue(c, false, "GET", "k" + i));
        replies.add(queue(c, false, "ECHO", "e"));
      }
      c.flush();
      for (CompletableFuture<String> r : replies) {
        assertThat(r.get(WAIT_SECONDS, TimeUnit.SECONDS)).isIn("$-1", "$1\r\ne");
      }
    }
    assertThat(waitCalls()).as("reads alone").isZero();

    for (int round = 1; round <= 3; round++) {
      List<CompletableFuture<String>> replies = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        replies.add(queue(c, true, "INCR", "n" + i));
        replies.add(queue(c, false, "GET", "k" + i));
      }
      c.flush();
      for (int i = 0; i < 100; i++) {
        assertThat(replies.get(2 * i).get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(":" + round);
      }
      assertThat(waitCalls()).as("rounds with writes").isEqualTo(round);
    }
  }

  @Test
  void offSendsNoWait() throws Exception {
    replica();
    BackendConnection c = up(connection(Duration.ZERO), WAIT_SECONDS);
    for (int round = 1; round <= 3; round++) {
      CompletableFuture<String> set = queue(c, true, "SET", "k", "v" + round);
      c.flush();
      assertThat(set.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("+OK");
    }
    assertThat(waitCalls()).isZero();
  }

  @Test
  void withoutAReplicaWritesFailUnconfirmedButRanAndReadsKeepTheirRepliesInOrder() throws Exception {
    BackendConnection c = up(connection(Duration.ofMillis(300)), WAIT_SECONDS);
    onMaster.set("s", "not a number");
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    track(c, false, events, "get-a", "GET", "a");
    track(c, true, events, "set-b", "SET", "b", "v");
    track(c, false, events, "get-b", "GET", "b");
    track(c, true, events, "incr-s", "INCR", "s");
    track(c, true, events, "set-c", "SET", "c", "w");
    track(c, false, events, "echo", "ECHO", "e");
    c.flush();
    awaitTrue("every command answered", WAIT_SECONDS, () -> events.size() == 6);
    assertThat(events).containsExactly("get-a $-1", "set-b failed: " + NOT_CONFIRMED, "get-b $1\r\nv",
        "incr-s -ERR value is not an integer or out of range", "set-c failed: " + NOT_CONFIRMED, "echo $1\r\ne");
    assertThat(onMaster.mget("b", "c")).as("the writes ran on the master").containsExactly("v", "w");
    assertThat(c.isUp()).isTrue();
  }

  @Test
  void repliesBehindAWriteWaitForTheWaitInOrder() throws Exception {
    BackendConnection c = up(connection(Duration.ofSeconds(60)), WAIT_SECONDS);
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    track(c, false, events, "get-a", "GET", "a");
    track(c, true, events, "set-b", "SET", "b", "v");
    track(c, false, events, "get-b", "GET", "b");
    track(c, false, events, "echo", "ECHO", "e");
    c.flush();
    // No replica yet: the WAIT blocks on the master, and everything from the write on is held.
    awaitTrue("WAIT blocked", WAIT_SECONDS, this::waitBlocked);
    // The server answered the read before the write when it ran the WAIT; this side may not have read it yet.
    awaitTrue("the read before the write answered", WAIT_SECONDS, () -> !events.isEmpty());
    List<String> before = List.copyOf(events);
    assertThat(waitBlocked()).as("still blocked after looking").isTrue();
    assertThat(before).containsExactly("get-a $-1");

    replica();
    awaitTrue("every command answered", WAIT_SECONDS, () -> events.size() == 4);
    assertThat(events).containsExactly("get-a $-1", "set-b +OK", "get-b $1\r\nv", "echo $1\r\ne");
  }

  @Test
  void aConnectionThatFailsWhileAWriteWaitsFailsTheWriteAndHandsReadsTheirReplies() throws Exception {
    BackendConnection c = up(connection(Duration.ofSeconds(60)), WAIT_SECONDS);
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    track(c, false, events, "get-a", "GET", "a");
    track(c, true, events, "set-b", "SET", "b", "v");
    track(c, false, events, "get-b", "GET", "b");
    c.flush();
    awaitTrue("WAIT blocked", WAIT_SECONDS, this::waitBlocked);
    onMaster.sendCommand(() -> "CLIENT".getBytes(StandardCharsets.US_ASCII), "KILL", "TYPE", "normal", "SKIPME", "yes");

    awaitTrue("every command answered", WAIT_SECONDS, () -> events.size() == 3);
    String error = "ERR backend " + master.host() + ":" + master.port() + " is down: connection closed by the server";
    assertThat(events).containsExactly("get-a $-1", "set-b failed: " + error, "get-b $1\r\nv");
    awaitTrue("reconnected", WAIT_SECONDS, c::isUp);
  }

  private BackendConnection connection(Duration durable) {
    BackendPool pool = new BackendPool(BackendOptions.defaults().withDurableWrites(durable), 1);
    toClose.add(pool);
    return pool.connection(new BackendAddress(master.host(), master.port()), 0, 0);
  }

  /** A replica of the master, once the master counts it online (WAIT counts only those). */
  private RedisServer replica() throws Exception {
    RedisServer replica = RedisServer.builder().replicaOf(master).start();
    toClose.add(replica);
    awaitTrue("replica online", WAIT_SECONDS, () -> onMaster.info("replication").contains("state=online"));
    return replica;
  }

  private Jedis jedis(RedisServer server) {
    Jedis j = new Jedis(server.host(), server.port());
    toClose.add(j);
    return j;
  }

  /** Calls of WAIT the master has run. */
  private long waitCalls() {
    for (String line : onMaster.info("commandstats").split("\r\n")) {
      if (line.startsWith("cmdstat_wait:calls=")) {
        return Long.parseLong(line.substring("cmdstat_wait:calls=".length(), line.indexOf(',')));
      }
    }
    return 0;
  }

  /** A client of the master is blocked in WAIT. */
  private boolean waitBlocked() {
    for (String client : onMaster.clientList().split("\n")) {
      if (client.contains(" cmd=wait") && client.matches(".* flags=[a-zA-Z]*b.*")) {
        return true;
      }
    }
    return false;
  }

  /** Queues without flushing; its completion appends "label reply" or "label failed: error" to {@code events}. */
  private static void track(BackendConnection c, boolean write, List<String> events, String label, String... args) {
    queue(c, write, args).thenAccept(reply -> events.add(label + " " + reply));
  }
}
