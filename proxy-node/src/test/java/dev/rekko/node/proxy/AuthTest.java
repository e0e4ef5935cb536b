package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.node.RekkoNode;
import dev.rekko.protocol.Errors;
import dev.rekko.redis.launcher.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Client AUTH against {@code rekko.proxy.password}, and the backend password: every Redis server here
 * demands {@code backend-pw}, which the node sends on its own connections without clients knowing.
 */
class AuthTest {
  private static final String CLIENT_PW = "client-pw";
  private static final String BACKEND_PW = "backend-pw";
  private static final RespSocket.Err NOAUTH = new RespSocket.Err("NOAUTH Authentication required.");
  private static final RespSocket.Err WRONGPASS =
      new RespSocket.Err("WRONGPASS invalid username-password pair or user is disabled.");
  @RegisterExtension
  static final ProxyFixture fx = ProxyFixture.builder()
      .groups(2).backendPassword(BACKEND_PW).set("rekko.proxy.password", CLIENT_PW).perClass();

  @Test
  void commandsBeforeAuthGetNoauthAndAWrongPasswordIsRefused() throws Exception {
    RespSocket s = fx.socket();
    assertThat(s.call("GET", "auth:k")).isEqualTo(NOAUTH);
    assertThat(s.call("PING")).isEqualTo(NOAUTH);
    assertThat(s.call("MGET", "auth:a", "auth:b")).isEqualTo(NOAUTH);
    assertThat(s.call("SELECT", "1")).isEqualTo(NOAUTH);
    assertThat(s.call("AUTH", "wrong")).isEqualTo(WRONGPASS);
    assertThat(s.call("AUTH", "someone", CLIENT_PW)).isEqualTo(WRONGPASS);
    assertThat(s.call("GET", "auth:k")).isEqualTo(NOAUTH);
    assertThat(s.call("AUTH", CLIENT_PW)).isEqualTo("OK");
    assertThat(s.call("SET", "auth:k", "v")).isEqualTo("OK");
    assertThat(s.call("GET", "auth:k")).isEqualTo("v");
    // Through the password-protected backend, on the group that owns the key.
    assertThat(fx.direct(fx.masterOf("auth:k")).get("auth:k")).isEqualTo("v");
  }

  @Test
  void authWithTheDefaultUserName() throws Exception {
    RespSocket s = fx.socket();
    assertThat(s.call("AUTH", "default", CLIENT_PW)).isEqualTo("OK");
    assertThat(s.call("PING")).isEqualTo("PONG");
  }

  @Test
  void helloWithAuthAuthenticatesAndAnswersResp2() throws Exception {
    RespSocket s = fx.socket();
    assertThat(s.call("HELLO", "2", "AUTH", "default", "nope")).isEqualTo(WRONGPASS);
    assertThat(s.call("GET", "hello:k")).isEqualTo(NOAUTH);
    Object hello = s.call("HELLO", "2", "AUTH", "default", CLIENT_PW, "SETNAME", "hello-app");
    List<?> fields = (List<?>) hello;
    assertThat(fields.get(fields.indexOf("proto") + 1)).isEqualTo(2L);
    assertThat(fields.get(fields.indexOf("server") + 1)).isEqualTo("redis");
    assertThat(s.call("CLIENT", "GETNAME")).isEqualTo("hello-app");
    assertThat(s.call("SET", "hello:k", "v")).isEqualTo("OK");
    assertThat(s.call("GET", "hello:k")).isEqualTo("v");
  }

  @Test
  void helloWithoutAuthBeforeAuthenticatingIsRefused() throws Exception {
    RespSocket s = fx.socket();
    // A backend demands a password too: it is the reference for Redis's text.
    RespSocket redis = fx.socket(fx.master(1));
    Object redisAnswer = redis.call("HELLO", "2");
    assertThat(redisAnswer).asInstanceOf(InstanceOfAssertFactories.type(RespSocket.Err.class))
        .extracting(RespSocket.Err::message).asString().startsWith("NOAUTH");
    assertThat(s.call("HELLO", "2")).isEqualTo(redisAnswer);
    assertThat(s.call("HELLO", "2", "SETNAME", "x")).isEqualTo(redis.call("HELLO", "2", "SETNAME", "x"));
    assertThat(s.call("GET", "k")).isEqualTo(NOAUTH);
  }

  @Test
  void jedisAndLettuceWithThePassword() {
    Jedis j = fx.jedis(fx.node(), b -> b.password(CLIENT_PW));
    assertThat(j.set("lib:jedis", "J")).isEqualTo("OK");
    assertThat(j.get("lib:jedis")).isEqualTo("J");
    // Lettuce sends HELLO 3 AUTH … SETNAME …, which authenticates and switches to RESP3.
    RedisClient client = fx.lettuce(fx.node(), b -> b.withPassword(CLIENT_PW.toCharArray()).withClientName("lt"));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      assertThat(c.sync().set("lib:lettuce", "L")).isEqualTo("OK");
      assertThat(c.sync().mget("lib:lettuce", "lib:jedis").stream().map(kv -> kv.getValue()).toList())
          .containsExactly("L", "J");
    }
  }

  @Test
  void withoutAConfiguredPasswordAuthGetsRedisError() throws Exception {
    RekkoNode open = fx.startNode(Map.of("rekko.proxy.password", ""));
    // The reference: a Redis without requirepass, asked the same.
    try (RedisServer plain = RedisServer.builder().start()) {
      RespSocket redis = fx.socket(plain);
      RespSocket s = fx.socket(open);
      assertThat(s.call("GET", "open:k")).isNull();
      Object redisAnswer = redis.call("AUTH", "whatever");
      assertThat(redisAnswer).isEqualTo(new RespSocket.Err(Errors.AUTH_NOT_CONFIGURED));
      assertThat(s.call("AUTH", "whatever")).isEqualTo(redisAnswer);
      // The default user has no password then, so naming it authenticates with any password.
      assertThat(s.call("AUTH", "default", "whatever")).isEqualTo(redis.call("AUTH", "default", "whatever"));
      assertThat(s.call("AUTH", "someone", "whatever")).isEqualTo(redis.call("AUTH", "someone", "whatever"));
      assertThat(s.call("SET", "open:k", "v")).isEqualTo("OK");
    }
  }
}
