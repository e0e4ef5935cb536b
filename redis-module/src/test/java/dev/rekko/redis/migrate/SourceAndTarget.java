package dev.rekko.redis.migrate;

import static dev.rekko.redis.migrate.MoverFixtures.jedis;

import dev.rekko.redis.launcher.RedisServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;

/**
 * A source and a target redis-server for a whole test class, emptied before each test:
 * {@code @RegisterExtension static final SourceAndTarget redis = new SourceAndTarget(false);}.
 */
final class SourceAndTarget implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
  private final boolean resetStats;
  private RedisServer source;
  private RedisServer target;

  /** {@code resetStats}: also {@code CONFIG RESETSTAT} before each test, for tests that count commands. */
  SourceAndTarget(boolean resetStats) {
    this.resetStats = resetStats;
  }

  RedisServer source() {
    return source;
  }

  RedisServer target() {
    return target;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    source = RedisServer.builder().start();
    target = RedisServer.builder().start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    for (RedisServer s : new RedisServer[] {source, target}) {
      if (s != null) {
        s.close();
      }
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    for (RedisServer s : new RedisServer[] {source, target}) {
      try (Jedis j = jedis(s, 0)) {
        j.flushAll();
        if (resetStats) {
          j.configResetStat();
        }
      }
    }
  }
}
