package dev.rekko.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** A 100 MiB value goes through the node both ways byte for byte, and the connection goes on working. */
class BigValueTest {
  private static final int SIZE = 100 << 20;

  @Test
  void hundredMebibyteValueSetAndGet() {
    assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
      try (ProxyFixture fx = ProxyFixture.builder().groups(2).start()) {
        byte[] key = "big:value".getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[SIZE];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < SIZE; i += 8) {
          long r = random.nextLong();
          for (int b = 0; b < 8; b++) {
            value[i + b] = (byte) (r >>> (8 * b));
          }
        }
        // Every byte value, CR and LF included, sits somewhere in the middle of the bulk.
        value[SIZE / 2] = '\r';
        value[SIZE / 2 + 1] = '\n';

        Jedis j = fx.jedis();
        assertThat(j.set(key, value)).isEqualTo("OK");
        Jedis owner = fx.direct(fx.masterOf("big:value"));
        assertThat(owner.strlen(key)).isEqualTo(SIZE);

        // The test keeps a digest, not the value: the node holds the reply (100 MiB) and Jedis reads it
        // into one more array, and the forked JVM's heap is small.
        byte[] sent = java.security.MessageDigest.getInstance("SHA-256").digest(value);
        value = null;
        byte[] back = j.get(key);
        assertThat(back).as("value read back").isNotNull();
        assertThat(back.length).isEqualTo(SIZE);
        assertThat(back[SIZE / 2]).isEqualTo((byte) '\r');
        assertThat(back[SIZE / 2 + 1]).isEqualTo((byte) '\n');
        assertThat(java.security.MessageDigest.getInstance("SHA-256").digest(back)).as("SHA-256 of the value read back")
            .isEqualTo(sent);
        back = null;

        // Small commands around the big one, on the same connection, still line up.
        assertThat(j.set("big:after", "small")).isEqualTo("OK");
        assertThat(j.strlen(key)).isEqualTo(SIZE);
        assertThat(j.get("big:after")).isEqualTo("small");
        assertThat(j.del(key)).isEqualTo(1L);
      }
    });
  }
}
