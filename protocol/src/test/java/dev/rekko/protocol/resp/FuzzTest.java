package dev.rekko.protocol.resp;

import static dev.rekko.protocol.resp.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random testing: valid input must survive encode, random chunking and decode unchanged;
 * invalid input must decode partly and then fail with {@link RespProtocolException}, never with
 * another exception, a hang or a huge allocation, and the same way however it is chunked.
 */
class FuzzTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  @Test
  void randomRepliesRoundTrip() {
    Random rnd = new Random(1);
    Generators gen = new Generators(rnd);
    for (int round = 0; round < 1000; round++) {
      RespWriter w = new RespWriter();
      List<Object> expected = new ArrayList<>();
      for (int i = 1 + rnd.nextInt(10); i > 0; i--) {
        RespValue v = gen.value(4);
        int from = w.length();
        w.write(v);
        expected.add(new Wire.Rep(Wire.text(w.array(), from, w.length() - from), valueType(v), v));
      }
      byte[] all = w.toByteArray();
      assertThat(Wire.replies(all, new int[0])).isEqualTo(expected);
      assertThat(Wire.replies(all, Wire.randomCuts(rnd, all.length, 1 + rnd.nextInt(64)))).isEqualTo(expected);
    }
  }

  private static byte valueType(RespValue v) {
    while (v instanceof RespValue.Attribute a) {
      v = a.value();
    }
    byte[] written = new RespWriter().write(v).toByteArray();
    return written[0];
  }

  @Test
  void randomCommandsRoundTrip() {
    Random rnd = new Random(2);
    Generators gen = new Generators(rnd);
    for (int round = 0; round < 1000; round++) {
      RespWriter w = new RespWriter();
      List<Object> expected = new ArrayList<>();
      for (int i = 1 + rnd.nextInt(20); i > 0; i--) {
        byte[][] argv = gen.command();
        int from = w.length();
        w.writeCommand(argv);
        List<String> args = new ArrayList<>();
        for (byte[] a : argv) {
          args.add(Wire.text(a, 0, a.length));
        }
        expected.add(new Wire.Req(false, args, Wire.text(w.array(), from, w.length() - from)));
      }
      byte[] all = w.toByteArray();
      assertThat(Wire.requests(all, Wire.randomCuts(rnd, all.length, 1 + rnd.nextInt(64)))).isEqualTo(expected);
    }
  }

  @Test
  void randomQuotedInlineArgumentsRoundTrip() {
    Random rnd = new Random(3);
    Generators gen = new Generators(rnd);
    for (int round = 0; round < 500; round++) {
      StringBuilder line = new StringBuilder();
      List<String> args = new ArrayList<>();
      for (int i = 1 + rnd.nextInt(5); i > 0; i--) {
        byte[] arg = gen.bytes(12);
        args.add(Wire.text(arg, 0, arg.length));
        line.append(rnd.nextBoolean() ? " " : "\t").append(quote(arg, rnd));
      }
      line.append(rnd.nextBoolean() ? "\r\n" : "\n");
      List<Object> decoded = Wire.requests(bytes(line.toString()), Wire.randomCuts(rnd, line.length(), 4));
      assertThat(decoded).hasSize(1);
      assertThat(((Wire.Req) decoded.get(0)).args()).isEqualTo(args);
    }
  }

  /** How redis-cli would quote any bytes: double quotes with escapes for everything unusual. */
  private static String quote(byte[] arg, Random rnd) {
    StringBuilder sb = new StringBuilder("\"");
    for (byte b : arg) {
      int c = b & 0xff;
      if (c == '"' || c == '\\') {
        sb.append('\\').append((char) c);
      } else if (c == '\n' && rnd.nextBoolean()) {
        sb.append("\\n");
      } else if (c < 0x20 || c >= 0x7f || rnd.nextInt(10) == 0) {
        sb.append(String.format(rnd.nextBoolean() ? "\\x%02x" : "\\x%02X", c));
      } else {
        sb.append((char) c);
      }
    }
    return sb.append('"').toString();
  }

  @Test
  void garbageRequestsFailCleanlyTheSameWayHoweverChunked() {
    assertTimeoutPreemptively(LIMIT, () -> garbage(4, Wire::requests, corpus(Corpus.REQUESTS)));
  }

  @Test
  void garbageRepliesFailCleanlyTheSameWayHoweverChunked() {
    assertTimeoutPreemptively(LIMIT, () -> garbage(5, Wire::replies, corpus(Corpus.REPLIES)));
  }

  private static byte[] corpus(List<String> messages) {
    return bytes(String.join("", messages));
  }

  private static void garbage(long seed, java.util.function.BiFunction<byte[], int[], List<Object>> decode,
      byte[] valid) {
    Random rnd = new Random(seed);
    Generators gen = new Generators(rnd);
    int errors = 0;
    for (int round = 0; round < 20000; round++) {
      byte[] in = round % 2 == 0 ? gen.garbage(1 + rnd.nextInt(200)) : gen.mutate(valid);
      // Wire catches only RespProtocolException, so any other exception fails the test.
      List<Object> whole = decode.apply(in, new int[0]);
      List<Object> chunked = decode.apply(in, Wire.randomCuts(rnd, in.length, 1 + rnd.nextInt(16)));
      assertThat(chunked).as("round %d: %s", round, RespText.quote(in)).isEqualTo(whole);
      if (!whole.isEmpty() && whole.get(whole.size() - 1) instanceof String) {
        errors++;
      }
    }
    // The generators must actually reach the error paths, and not only them.
    assertThat(errors).isBetween(2000, 19000);
  }
}
