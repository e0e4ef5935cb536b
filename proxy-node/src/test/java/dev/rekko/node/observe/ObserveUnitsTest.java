package dev.rekko.node.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.Args;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The observe package's pure parts: key text, slow-log arguments, the sampler's rate. */
class ObserveUnitsTest {
  @Test
  void keyTextEscapesWhatIsNotUtf8AndGivesTheBytesBack() {
    byte[] key = {'k', (byte) 0xff, '\\', (byte) 0xc3, (byte) 0xa9, 'x', (byte) 0xe2, (byte) 0x82};
    String text = KeyText.of(key);
    assertThat(text).isEqualTo("k\\xff\\\\éx\\xe2\\x82");
    assertThat(KeyText.bytes(text)).isEqualTo(key);
    assertThat(KeyText.of("plain:1".getBytes(StandardCharsets.UTF_8))).isEqualTo("plain:1");
  }

  @Test
  void slowArgsAreCutAndRedactedAsRedisDoes() {
    byte[][] hello = SlowArgs.of(Args.of("HELLO", "3", "AUTH", "u", "p", "SETNAME", "n"));
    assertThat(strings(hello)).containsExactly("HELLO", "3", "AUTH", "(redacted)", "(redacted)", "SETNAME", "n");
    byte[][] migrate = SlowArgs.of(Args.of("MIGRATE", "h", "1", "", "0", "5", "AUTH2", "u", "p", "KEYS", "a"));
    assertThat(strings(migrate)).containsExactly("MIGRATE", "h", "1", "", "0", "5", "AUTH2", "(redacted)",
        "(redacted)", "KEYS", "a");
    byte[][] config = SlowArgs.of(Args.of("config", "set", "requirepass", "s", "maxmemory", "1"));
    assertThat(strings(config)).containsExactly("config", "set", "requirepass", "(redacted)", "maxmemory", "1");
    SlowArgs.Preview preview = SlowArgs.preview(Args.of("SET", "k", "v".repeat(300)));
    assertThat(SlowArgs.of(preview)[2]).asString(StandardCharsets.US_ASCII).endsWith("v... (172 more bytes)");
  }

  @Test
  void samplerSamplesAboutItsRate() {
    HotKeys.Sampler sampler = new HotKeys(0.01, 64).sampler();
    int sampled = 0;
    for (int i = 0; i < 1_000_000; i++) {
      if (sampler.tick()) {
        sampled++;
      }
    }
    // 10,000 expected; the standard deviation is about 100.
    assertThat(sampled).isBetween(9_000, 11_000);
    HotKeys.Sampler all = new HotKeys(1, 64).sampler();
    assertThat(all.tick() && all.tick() && all.tick()).isTrue();
  }

  private static String[] strings(byte[][] args) {
    String[] out = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      out[i] = new String(args[i], StandardCharsets.UTF_8);
    }
    return out;
  }
}
