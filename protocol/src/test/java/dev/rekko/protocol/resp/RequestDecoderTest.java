package dev.rekko.protocol.resp;

import static dev.rekko.protocol.resp.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestDecoderTest {

  private static List<String> args(Command c) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < c.argc(); i++) {
      out.add(c.string(i));
    }
    return out;
  }

  private static List<List<String>> decodeAll(String input) {
    RequestDecoder d = new RequestDecoder();
    d.feed(bytes(input));
    List<List<String>> out = new ArrayList<>();
    for (Command c; (c = d.next()) != null; ) {
      out.add(args(c));
    }
    return out;
  }

  @Test
  void decodesMultibulkAndExposesItsFrame() {
    byte[] in = bytes("*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n");
    RequestDecoder d = new RequestDecoder();
    d.feed(in);
    Command c = d.next();
    assertThat(args(c)).containsExactly("GET", "foo");
    assertThat(c.isInline()).isFalse();
    assertThat(c.is(0, "GET")).isTrue();
    assertThat(c.frameArray()).isSameAs(in);
    assertThat(c.frameOffset()).isZero();
    assertThat(c.frameLength()).isEqualTo(in.length);
    assertThat(d.next()).isNull();
    assertThat(d.hasPartialFrame()).isFalse();
  }

  @Test
  void pipelinedCommandsAreSlicesOfTheOneChunk() {
    byte[] in = bytes("*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
    RequestDecoder d = new RequestDecoder();
    d.feed(in, 0, in.length);
    Command ping = d.next();
    Command set = d.next();
    assertThat(d.next()).isNull();
    assertThat(args(ping)).containsExactly("PING");
    assertThat(args(set)).containsExactly("SET", "k", "");
    for (Command c : List.of(ping, set)) {
      for (int i = 0; i < c.argc(); i++) {
        assertThat(c.array(i)).isSameAs(in);
      }
      assertThat(c.frameArray()).isSameAs(in);
    }
    assertThat(set.frameOffset()).isEqualTo(14);
    assertThat(set.frameLength()).isEqualTo(in.length - 14);
    assertThat(set.offset(1)).isEqualTo(14 + "*3\r\n$3\r\nSET\r\n$1\r\n".length());
  }

  @Test
  void aFrameSpanningChunksIsAssembledIntoAnArrayOfExactlyItsSize() {
    byte[] first = bytes("*2\r\n$3\r\nGET\r\n$3\r\nf");
    byte[] second = bytes("oo\r\n*1\r\n$4\r\nPING\r\n");
    RequestDecoder d = new RequestDecoder();
    d.feed(first);
    assertThat(d.next()).isNull();
    assertThat(d.hasPartialFrame()).isTrue();
    d.feed(second);
    Command get = d.next();
    assertThat(args(get)).containsExactly("GET", "foo");
    assertThat(get.frameArray()).hasSize(get.frameLength()).isEqualTo(bytes("*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n"));
    assertThat(get.array(1)).isSameAs(get.frameArray());
    // The next command lies wholly in the second chunk: zero-copy again.
    Command ping = d.next();
    assertThat(ping.array(0)).isSameAs(second);
  }

  @Test
  void chunksOfAnAssembledFrameAreReleasedAtOnce() throws InterruptedException {
    RequestDecoder d = new RequestDecoder();
    byte[] first = bytes("*1\r\n$4\r\nPI");
    java.lang.ref.WeakReference<byte[]> ref = new java.lang.ref.WeakReference<>(first);
    d.feed(first);
    first = null;
    d.feed(bytes("NG\r\n"));
    assertThat(args(d.next())).containsExactly("PING");
    for (int i = 0; i < 50 && ref.get() != null; i++) {
      System.gc();
      Thread.sleep(10);
    }
    assertThat(ref.get()).as("the first chunk, once copied, is not referenced by the decoder").isNull();
  }

  @Test
  void aCommandStaysValidAfterLaterInputIsDecoded() {
    RequestDecoder d = new RequestDecoder();
    d.feed(bytes("*2\r\n$3\r\nGET\r\n$3\r\nab"));
    d.feed(bytes("c\r\n*2\r\n$3\r\nGET"));
    Command first = d.next();
    d.feed(bytes("\r\n$3\r\nxyz\r\n"));
    Command second = d.next();
    assertThat(args(first)).containsExactly("GET", "abc");
    assertThat(args(second)).containsExactly("GET", "xyz");
  }

  @Test
  void binaryPayloadsMayHoldCrlfAndAnyByte() {
    RequestDecoder d = new RequestDecoder();
    d.feed(bytes("*2\r\n$4\r\n\r\n\r\n\r\n$3\r\n\u0000\u00ff*\r\n"));
    Command c = d.next();
    assertThat(c.copy(0)).isEqualTo(bytes("\r\n\r\n"));
    assertThat(c.copy(1)).isEqualTo(new byte[] {0, (byte) 0xff, '*'});
  }

  @Test
  void zeroAndNegativeCountsAreSkippedLikeRedis() {
    assertThat(decodeAll("*0\r\n*-1\r\n*-9223372036854775808\r\n*1\r\n$4\r\nPING\r\n"))
        .containsExactly(List.of("PING"));
  }

  @Test
  void likeRedisTheByteAfterACrAndTheTwoAfterAPayloadAreNotChecked() {
    assertThat(decodeAll("*2\rX$3\rYGETxy$1\r\nkAB")).containsExactly(List.of("GET", "k"));
  }

  @Test
  void inlineCommandsSplitOnBlanks() {
    assertThat(decodeAll("GET foo\r\nSET  k\tv\n  PING  \r\n")).containsExactly(
        List.of("GET", "foo"), List.of("SET", "k", "v"), List.of("PING"));
  }

  @Test
  void inlineCommandsWithoutQuotesAreSlicesOfTheInput() {
    byte[] in = bytes("SET k v\r\n");
    RequestDecoder d = new RequestDecoder();
    d.feed(in);
    Command c = d.next();
    assertThat(c.isInline()).isTrue();
    assertThat(c.array(2)).isSameAs(in);
    assertThat(c.frameLength()).isEqualTo(in.length);
  }

  @Test
  void emptyAndBlankInlineLinesAreSkipped() {
    assertThat(decodeAll("\r\n\n   \r\n\t\n*1\r\n$4\r\nPING\r\n")).containsExactly(List.of("PING"));
  }

  @Test
  void inlineQuotesAndEscapesFollowSdssplitargs() {
    assertThat(decodeAll("SET \"a b\" 'c d'\r\n")).containsExactly(List.of("SET", "a b", "c d"));
    assertThat(decodeAll("SET k \"\\n\\r\\t\\b\\a\\\\\\\"\\q\\x41\\x4a\\xzz\"\n"))
        .containsExactly(List.of("SET", "k", "\n\r\t\b\u0007\\\"qAJxzz"));
    assertThat(decodeAll("SET k 'it\\'s \\n \"x\"'\n")).containsExactly(List.of("SET", "k", "it's \\n \"x\""));
    assertThat(decodeAll("SET \"\" ''\n")).containsExactly(List.of("SET", "", ""));
    // A quote inside an argument opens a quoted part that joins it; it must end the argument.
    assertThat(decodeAll("SET a\"b c\" d'e f'\n")).containsExactly(List.of("SET", "ab c", "de f"));
    // \v and \f separate arguments only before one starts, as in sdssplitargs.
    assertThat(decodeAll("\u000bGET a\u000bb\n")).containsExactly(List.of("GET", "a\u000bb"));
    // Only the last CR before the LF is dropped; others are blanks.
    assertThat(decodeAll("PING\r\r\n")).containsExactly(List.of("PING"));
  }

  @Test
  void inlineCommandIsWrittenAsAMultibulk() {
    RequestDecoder d = new RequestDecoder();
    d.feed(bytes("SET \"a b\" c\r\n*1\r\n$4\r\nPING\r\n"));
    RespWriter w = new RespWriter();
    d.next().writeTo(w);
    d.next().writeTo(w);
    assertThat(Wire.text(w.array(), 0, w.length()))
        .isEqualTo("*3\r\n$3\r\nSET\r\n$3\r\na b\r\n$1\r\nc\r\n*1\r\n$4\r\nPING\r\n");
  }

  @Test
  void countsBeyondTheDataDoNotAllocateUpFront() {
    // A billion (or INT_MAX) promised arguments must not allocate gigabytes: -Xmx512m would fail.
    for (String count : List.of("1073741824", "2147483647")) {
      RequestDecoder d = new RequestDecoder();
      d.feed(bytes("*" + count + "\r\n"));
      for (int i = 0; i < 3000; i++) {
        d.feed(bytes("$1\r\na\r\n"));
      }
      assertThat(d.next()).isNull();
      assertThat(d.hasPartialFrame()).isTrue();
    }
    assertThatThrownBy(() -> decodeAll("*2147483648\r\n"))
        .hasMessage("ERR Protocol error: invalid multibulk length");
  }

  @Test
  void largestValidBulkLengthDoesNotAllocateBeforeTheBytesArrive() {
    RequestDecoder d = new RequestDecoder();
    d.feed(bytes("*1\r\n$536870912\r\nabc"));
    assertThat(d.next()).isNull();
  }

  @Test
  void limitsAreConfigurable() {
    RequestDecoder d = new RequestDecoder(RespLimits.DEFAULT.withMaxBulkLength(3).withMaxMultibulkLength(2));
    d.feed(bytes("*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n*1\r\n$4\r\n"));
    assertThat(args(d.next())).containsExactly("GET", "foo");
    assertThatThrownBy(d::next).hasMessage("ERR Protocol error: invalid bulk length");
    RequestDecoder d1 = new RequestDecoder(RespLimits.DEFAULT.withMaxBulkLength(3));
    d1.feed(bytes("*1\r\n$4\r\nPING\r\n"));
    assertThatThrownBy(d1::next).hasMessage("ERR Protocol error: invalid bulk length");
    RequestDecoder d2 = new RequestDecoder(RespLimits.DEFAULT.withMaxMultibulkLength(2));
    d2.feed(bytes("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"));
    assertThatThrownBy(d2::next).hasMessage("ERR Protocol error: invalid multibulk length");
    RequestDecoder d3 = new RequestDecoder(RespLimits.DEFAULT.withMaxInlineSize(8));
    // Like Redis, the limit counts the CR.
    d3.feed(bytes("PING 12\r\nPING 123\r\n"));
    assertThat(args(d3.next())).containsExactly("PING", "12");
    assertThatThrownBy(d3::next).hasMessage("ERR Protocol error: too big inline request");
  }

  @Test
  void afterAnErrorTheDecoderStaysFailed() {
    RequestDecoder d = new RequestDecoder();
    d.feed(bytes("*1\r\nx"));
    RespProtocolException e = org.junit.jupiter.api.Assertions.assertThrows(RespProtocolException.class, d::next);
    d.feed(bytes("*1\r\n$4\r\nPING\r\n"));
    assertThatThrownBy(d::next).isSameAs(e);
  }

  @Test
  void commandToStringQuotesArguments() {
    RequestDecoder d = new RequestDecoder();
    d.feed(bytes("*2\r\n$3\r\nGET\r\n$3\r\na\r\n\r\n"));
    assertThat(d.next()).hasToString("[\"GET\", \"a\\r\\n\"]");
  }
}
