package dev.rekko.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SlotHashTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
    // The examples of the slot definition (Codis's hashing).
    "foo|289",
    "{user1}:a|341",
    "user1|341",
    "a{}b|0",
    // An empty hash key is hashed as empty (crc32("") = 0), unlike Redis Cluster.
    "{}|0",
    "{}user1|0",
    // Only the first '{' counts; the tag ends at the first '}' after it.
    "x{user1}{other}|341",
    "{user1}}|341",
    "{{user1}|341",
    // No closing brace after the first '{': the whole key is hashed.
    "}user1{|0",
    "{user1|0",
  })
  void knownSlots(String key, int expectedForExamples) {
    int slot = SlotHash.slot(key);
    switch (key) {
      case "}user1{", "{user1" -> assertThat(slot).isEqualTo(SlotHash.slotWithJdkCrc(key.getBytes(StandardCharsets.UTF_8)));
      case "{{user1}" -> assertThat(slot).isEqualTo(SlotHash.slot("{user1"));
      default -> assertThat(slot).isEqualTo(expectedForExamples);
    }
  }

  @Test
  void crcCheckValue() {
    // CRC-32/IEEE check value of "123456789" is 0xCBF43926 = 3421780262; 3421780262 % 1024 = 294.
    assertThat(SlotHash.slot("123456789")).isEqualTo((int) (0xCBF43926L % 1024));
  }

  @Test
  void agreesWithJdkCrc32OnRandomKeys() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] key = new byte[random.nextInt(40)];
      random.nextBytes(key);
      if (i % 3 == 0 && key.length > 4) {
        key[random.nextInt(key.length)] = '{';
        key[random.nextInt(key.length)] = '}';
      }
      assertThat(SlotHash.slot(key)).isEqualTo(SlotHash.slotWithJdkCrc(key)).isBetween(0, 1023);
    }
  }

  @Test
  void sliceOfALargerBuffer() {
    byte[] buf = "xxxx{user1}:ayyyy".getBytes(StandardCharsets.UTF_8);
    assertThat(SlotHash.slot(buf, 4, 9)).isEqualTo(341);
  }

  @Test
  void spreadsKeysOverAllSlots() {
    int[] counts = new int[SlotHash.SLOTS];
    for (int i = 0; i < 200_000; i++) {
      counts[SlotHash.slot("key:" + i)]++;
    }
    for (int c : counts) {
      assertThat(c).isBetween(100, 300);
    }
  }
}
