package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.launcher.RedisServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same pub/sub session, frame by frame, against a plain redis-server 7.0.15 and through a node: the
 * confirmations and their counts, PING and a refused command in RESP2's subscribed state, the messages of
 * each kind, unsubscribing one, all, or none, RESET and QUIT. Raw sockets, so the exact frames are seen.
 */
class PubSubDifferentialTest {
  private static ProxyFixture fx;
  private static RedisServer direct;

  @BeforeAll
  static void start() throws Exception {
    fx = ProxyFixture.builder().groups(1).start();
    direct = RedisServer.builder().start();
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
    if (direct != null) {
      direct.close();
    }
  }

  /** Connections to one side: a subscriber and a publisher. */
  private record Side(RespSocket sub, RespSocket pub) {}

  private static Side rekko() throws IOException {
    return new Side(fx.socket(), fx.socket());
  }

  private static Side redis() throws IOException {
    return new Side(fx.socket(direct), fx.socket(direct));
  }

  /** Sends {@code args} on {@code s} and reads {@code frames} frames. */
  private static List<Object> call(RespSocket s, int frames, String... args) throws IOException {
    s.send(args);
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < frames; i++) {
      out.add(s.read());
    }
    return out;
  }

  /** Reads {@code frames} frames that come unasked (messages). */
  private static List<Object> read(RespSocket s, int frames) throws IOException {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < frames; i++) {
      out.add(s.read());
    }
    return out;
  }

  /**
   * Confirmations of unsubscribing from all: Redis sends them in its hash table's order, so the names are
   * compared as a set and the counts in order.
   */
  private static List<Object> unordered(List<Object> frames) {
    return List.of(new HashSet<>(frames.stream().map(f -> ((List<?>) f).get(1)).toList()),
        frames.stream().map(f -> ((List<?>) f).get(2)).toList());
  }

  private static List<Object> session(Side side) throws IOException {
    List<Object> r = new ArrayList<>();
    r.add(call(side.sub(), 1, "UNSUBSCRIBE"));
    r.add(call(side.sub(), 2, "SUBSCRIBE", "news", "sport"));
    r.add(call(side.sub(), 2, "SUBSCRIBE", "news", "news"));
    r.add(call(side.sub(), 1, "PSUBSCRIBE", "n*"));
    r.add(call(side.sub(), 1, "PING"));
    r.add(call(side.sub(), 1, "PING", "hi"));
    r.add(call(side.sub(), 1, "ping", "a", "b"));
    r.add(call(side.sub(), 1, "GET", "x"));
    r.add(call(side.sub(), 1, "client", "id"));
    r.add(call(side.pub(), 1, "PUBLISH", "news", "hello"));
    r.add(call(side.pub(), 1, "PUBLISH", "zzz", "x"));
    r.add(read(side.sub(), 2));
    r.add(call(side.sub(), 2, "SSUBSCRIBE", "{s}1", "{s}2"));
    r.add(call(side.pub(), 1, "SPUBLISH", "{s}2", "sharded"));
    r.add(read(side.sub(), 1));
    r.add(call(side.sub(), 2, "PUNSUBSCRIBE", "n*", "zz"));
    r.add(unordered(call(side.sub(), 2, "UNSUBSCRIBE")));
    r.add(call(side.sub(), 1, "UNSUBSCRIBE"));
    r.add(call(side.sub(), 1, "GET", "x"));
    r.add(unordered(call(side.sub(), 2, "SUNSUBSCRIBE")));
    r.add(call(side.sub(), 1, "GET", "x"));
    r.add(call(side.pub(), 1, "PUBLISH", "news", "nobody"));
    r.add(call(side.sub(), 1, "SUBSCRIBE", "news"));
    r.add(call(side.sub(), 1, "RESET"));
    r.add(call(side.sub(), 1, "GET", "x"));
    r.add(call(side.sub(), 1, "SUBSCRIBE", "news"));
    r.add(call(side.sub(), 1, "QUIT"));
    r.add(side.sub().closedByServer());
    return r;
  }

  @Test
  void aSubscriberSessionMatchesRedisFrameByFrame() throws Exception {
    List<Object> expected = session(redis());
    List<Object> actual = session(rekko());
    assertThat(actual).isEqualTo(expected);
    // And what that was, so that a change on both sides does not go unnoticed.
    assertThat(expected.get(1)).isEqualTo(List.of(List.of("subscribe", "news", 1L), List.of("subscribe", "sport", 2L)));
    assertThat(expected.get(7)).isEqualTo(List.of(new RespSocket.Err("ERR Can't execute 'get': only (P|S)SUBSCRIBE "
        + "/ (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")));
    assertThat(expected.get(11)).isEqualTo(List.of(List.of("message", "news", "hello"),
        List.of("pmessage", "n*", "news", "hello")));
  }

  @Test
  void unsubscribeWithoutSubscriptionsAndPubsubCountsMatchRedis() throws Exception {
    for (Side side : List.of(redis(), rekko())) {
      assertThat(call(side.sub(), 1, "PUNSUBSCRIBE")).isEqualTo(List.of(Arrays.asList("punsubscribe", null, 0L)));
    }
    Side a = redis();
    Side b = rekko();
    call(a.sub(), 2, "SUBSCRIBE", "c1", "c2");
    call(b.sub(), 2, "SUBSCRIBE", "c1", "c2");
    call(a.sub(), 1, "PSUBSCRIBE", "c*");
    call(b.sub(), 1, "PSUBSCRIBE", "c*");
    for (String[] cmd : List.of(new String[] {"PUBSUB", "NUMSUB", "c1", "c2", "c3"}, new String[] {"PUBSUB", "NUMPAT"},
        new String[] {"PUBSUB", "CHANNELS", "c[12]"}, new String[] {"PUBSUB", "CHANNELS", "x", "y"},
        new String[] {"PUBLISH", "c1", "m"}, new String[] {"PUBSUB", "SHARDNUMSUB", "c1"},
        new String[] {"PUBSUB", "SHARDCHANNELS"})) {
      Object want = sorted(a.pub().call(cmd));
      assertThat(sorted(b.pub().call(cmd))).as(String.join(" ", cmd)).isEqualTo(want);
    }
  }

  private static Object sorted(Object reply) {
    if (reply instanceof List<?> l && l.stream().allMatch(e -> e instanceof String)) {
      return l.stream().map(String.class::cast).sorted().toList();
    }
    return reply;
  }
}
