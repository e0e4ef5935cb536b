package dev.rekko.node.proxy;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.redis.launcher.RedisServer;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Redis 7's limits before AUTH (the fix of CVE-2021-32675), differentially: the same bytes go to a
 * real redis-server 7.0.15 started with {@code requirepass} and to a node with
 * {@code rekko.proxy.password}; both must give the same replies, and both must close (or both stay
 * open) afterwards.
 */
class PreAuthLimitsTest {
  private static final String PASSWORD = "s3cret";
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder().groups(1).set("rekko.proxy.password", PASSWORD).perClass();
  private static RedisServer redis;

  @BeforeAll
  static void start() throws Exception {
    redis = fx.track(RedisServer.builder().password(PASSWORD).start());
  }

  record Case(String name, byte[] input, int replies, boolean closes) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static byte[] command(String... args) {
    return RespSocket.encode(args);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static String[] args(String first, int n) {
    String[] a = new String[n];
    a[0] = first;
    for (int i = 1; i < n; i++) {
      a[i] = "preauth:k" + i;
    }
    return a;
  }

  static List<Case> cases() {
    String bulk16k = "x".repeat(16 * 1024);
    return List.of(
        new Case("11 arguments before AUTH", "*11\r\n".getBytes(ISO_8859_1), 1, true),
        new Case("a count of 1000000 before AUTH", "*1000000\r\n".getBytes(ISO_8859_1), 1, true),
        new Case("10 arguments before AUTH are fine", command(args("DEL", 10)), 1, false),
        new Case("a 16385-byte bulk header before AUTH", "*2\r\n$4\r\nAUTH\r\n$16385\r\n".getBytes(ISO_8859_1), 1, true),
        new Case("a bulk of 100 MB announced before AUTH", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000000\r\n"
            .getBytes(ISO_8859_1), 1, true),
        new Case("a 16384-byte bulk before AUTH is fine", command("AUTH", bulk16k), 1, false),
        new Case("the general limit is checked first", "*1\r\n$536870913\r\n".getBytes(ISO_8859_1), 1, true),
        new Case("AUTH lifts the limits for the next command of a pipeline",
            concat(command("AUTH", PASSWORD), command(args("DEL", 12)), command("ECHO", "y".repeat(20000))), 3, false),
        new Case("wrong AUTH keeps them", concat(command("AUTH", "nope"), "*11\r\n".getBytes(ISO_8859_1)), 2, true));
  }

  /** Sends {@code input} and reads {@code n} replies, then whether the server closed. */
  private static List<Object> exchange(RespSocket s, Case c) throws Exception {
    s.write(c.input());
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < c.replies(); i++) {
      out.add(s.read());
    }
    s.setTimeout(c.closes() ? 10_000 : 500);
    out.add(s.closedByServer() ? "closed" : "open");
    return out;
  }

  @ParameterizedTest
  @MethodSource("cases")
  void sameRepliesAndSameCloseAsRedis(Case c) throws Exception {
    List<Object> fromRedis = exchange(fx.socket(redis), c);
    List<Object> fromNode = exchange(fx.socket(), c);
    assertThat(fromNode).isEqualTo(fromRedis);
    assertThat(fromRedis).last().isEqualTo(c.closes() ? "closed" : "open");
    if (c.name().contains("11 arguments")) {
      assertThat(fromRedis.get(0)).isEqualTo(new RespSocket.Err("ERR Protocol error: unauthenticated multibulk length"));
    }
    if (c.name().contains("16385")) {
      assertThat(fromRedis.get(0)).isEqualTo(new RespSocket.Err("ERR Protocol error: unauthenticated bulk length"));
    }
  }
}
