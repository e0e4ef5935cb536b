package dev.rekko.protocol.resp;

import static dev.rekko.protocol.resp.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

/** However input is cut into chunks, it decodes to what it decodes to in one chunk. */
class SplitTest {
  static final List<String> requests = Corpus.REQUESTS;
  static final List<String> replies = Corpus.REPLIES;

  @ParameterizedTest
  @FieldSource("requests")
  void requestSplitAnywhere(String message) {
    assertSplitInvariant(bytes(message), Wire::requests);
  }

  @ParameterizedTest
  @FieldSource("replies")
  void replySplitAnywhere(String message) {
    assertSplitInvariant(bytes(message), Wire::replies);
  }

  private static void assertSplitInvariant(byte[] in, BiFunction<byte[], int[], List<Object>> decode) {
    List<Object> whole = decode.apply(in, new int[0]);
    assertThat(whole).noneMatch(o -> o instanceof String);
    for (int cut = 1; cut < in.length; cut++) {
      assertThat(decode.apply(in, new int[] {cut})).as("cut at %d", cut).isEqualTo(whole);
    }
    assertThat(decode.apply(in, Wire.everyByte(in.length))).as("byte by byte").isEqualTo(whole);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 16, 100})
  void manyRequestsRandomlyChunked(int meanChunk) {
    assertConcatenationInvariant(requests, meanChunk, Wire::requests);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 16, 100})
  void manyRepliesRandomlyChunked(int meanChunk) {
    assertConcatenationInvariant(replies, meanChunk, Wire::replies);
  }

  private static void assertConcatenationInvariant(List<String> corpus, int meanChunk,
      BiFunction<byte[], int[], List<Object>> decode) {
    Random rnd = new Random(meanChunk);
    for (int round = 0; round < 20; round++) {
      List<String> messages = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        messages.addAll(corpus);
      }
      Collections.shuffle(messages, rnd);
      List<Object> expected = new ArrayList<>();
      List<byte[]> parts = new ArrayList<>();
      for (String m : messages) {
        expected.addAll(decode.apply(bytes(m), new int[0]));
        parts.add(bytes(m));
      }
      byte[] all = Wire.concat(parts);
      assertThat(decode.apply(all, new int[0])).isEqualTo(expected);
      assertThat(decode.apply(all, Wire.randomCuts(rnd, all.length, meanChunk))).isEqualTo(expected);
    }
  }
}
