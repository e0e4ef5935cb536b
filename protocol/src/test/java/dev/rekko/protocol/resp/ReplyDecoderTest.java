package dev.rekko.protocol.resp;

import static dev.rekko.protocol.resp.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rekko.protocol.resp.RespValue.BigNumber;
import dev.rekko.protocol.resp.RespValue.BulkError;
import dev.rekko.protocol.resp.RespValue.NullArray;
import dev.rekko.protocol.resp.RespValue.NullBulk;
import dev.rekko.protocol.resp.RespValue.Verbatim;
import java.math.BigInteger;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReplyDecoderTest {

  private static Reply one(String wire) {
    byte[] in = bytes(wire);
    ReplyDecoder d = new ReplyDecoder();
    d.feed(in);
    Reply r = d.next();
    assertThat(r).as("a whole reply in %s", wire).isNotNull();
    assertThat(d.next()).isNull();
    // A reply in one chunk is a slice of it, spanning all of it.
    assertThat(r.frameArray()).isSameAs(in);
    assertThat(r.frameLength()).isEqualTo(in.length);
    return r;
  }

  static Stream<Arguments> everyType() {
    return Stream.of(
        Arguments.of("+OK\r\n", RespValue.simple("OK")),
        Arguments.of("-ERR unknown command\r\n", RespValue.error("ERR unknown command")),
        Arguments.of(":-42\r\n", RespValue.integer(-42)),
        Arguments.of(":-9223372036854775808\r\n", RespValue.integer(Long.MIN_VALUE)),
        Arguments.of("$3\r\nfoo\r\n", RespValue.bulk("foo")),
        Arguments.of("$0\r\n\r\n", RespValue.bulk("")),
        Arguments.of("$4\r\n\r\n\r\n\r\n", RespValue.bulk("\r\n\r\n")),
        Arguments.of("$-1\r\n", new NullBulk()),
        Arguments.of("*-1\r\n", new NullArray()),
        Arguments.of("*0\r\n", RespValue.array()),
        Arguments.of("*2\r\n$1\r\na\r\n*1\r\n:1\r\n", RespValue.array(RespValue.bulk("a"), RespValue.array(RespValue.integer(1)))),
        Arguments.of("_\r\n", new RespValue.Null()),
        Arguments.of("#t\r\n", new RespValue.Boolean(true)),
        Arguments.of("#f\r\n", new RespValue.Boolean(false)),
        Arguments.of(",3.14\r\n", new RespValue.Double(3.14)),
        Arguments.of(",-1.5e-3\r\n", new RespValue.Double(-1.5e-3)),
        Arguments.of(",10\r\n", new RespValue.Double(10)),
        Arguments.of(",inf\r\n", new RespValue.Double(Double.POSITIVE_INFINITY)),
        Arguments.of(",-inf\r\n", new RespValue.Double(Double.NEGATIVE_INFINITY)),
        Arguments.of(",nan\r\n", new RespValue.Double(Double.NaN)),
        Arguments.of("(3492890328409238509324850943850943825024385\r\n",
            new BigNumber(new BigInteger("3492890328409238509324850943850943825024385"))),
        Arguments.of("!21\r\nSYNTAX invalid syntax\r\n", new BulkError(bytes("SYNTAX invalid syntax"))),
        Arguments.of("=15\r\ntxt:Some string\r\n", new Verbatim("txt", bytes("Some string"))),
        Arguments.of("%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", new RespValue.Map(List.of(
            RespValue.entry(RespValue.simple("first"), RespValue.integer(1)),
            RespValue.entry(RespValue.simple("second"), RespValue.integer(2))))),
        Arguments.of("~2\r\n+a\r\n+a\r\n", new RespValue.Set(List.of(RespValue.simple("a"), RespValue.simple("a")))),
        Arguments.of(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
            new RespValue.Push(List.of(RespValue.bulk("message"), RespValue.bulk("ch"), RespValue.bulk("hi")))),
        Arguments.of("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2\r\n", new RespValue.Attribute(
            List.of(RespValue.entry(RespValue.simple("key-popularity"),
                new RespValue.Map(List.of(RespValue.entry(RespValue.bulk("a"), new RespValue.Double(0.19)))))),
            RespValue.array(RespValue.integer(2)))),
        Arguments.of("*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n", RespValue.array(
            new RespValue.Attribute(List.of(RespValue.entry(RespValue.simple("a"), RespValue.simple("b"))),
                RespValue.integer(1)),
            RespValue.integer(2))),
        Arguments.of("|0\r\n:7\r\n", new RespValue.Attribute(List.of(), RespValue.integer(7))));
  }

  @ParameterizedTest
  @MethodSource("everyType")
  void decodesHandWrittenReplies(String wire, RespValue expected) {
    Reply r = one(wire);
    assertThat(r.value()).isEqualTo(expected);
    assertThat(r.type()).isEqualTo((byte) wire.charAt(0));
    // And the writer produces a frame that decodes to the same value.
    byte[] written = new RespWriter().write(expected).toByteArray();
    assertThat(one(Wire.text(written, 0, written.length)).value()).isEqualTo(expected);
  }

  @Test
  void simpleStringsMayHoldALoneCr() {
    assertThat(one("+a\rb\r\n").value()).isEqualTo(RespValue.simple("a\rb"));
    assertThat(one("-a\r\rb\r\r\n").value()).isEqualTo(RespValue.error("a\r\rb\r"));
    assertThat(Wire.replies(bytes("+a\rb\r\r\n"), Wire.everyByte(8)))
        .containsExactly(new Wire.Rep("+a\rb\r\r\n", (byte) '+', RespValue.simple("a\rb\r")));
  }

  @Test
  void classifiesErrorsAndPushesPastAttributes() {
    assertThat(one("-ERR x\r\n").isError()).isTrue();
    assertThat(one("!1\r\nx\r\n").isError()).isTrue();
    assertThat(one("+OK\r\n").isError()).isFalse();
    Reply attributed = one("|1\r\n+a\r\n-ERR b\r\n-ERR c\r\n");
    assertThat(attributed.type()).isEqualTo((byte) '|');
    assertThat(attributed.valueType()).isEqualTo((byte) '-');
    assertThat(attributed.isError()).isTrue();
    assertThat(one(">1\r\n+x\r\n").isPush()).isTrue();
    assertThat(one("*1\r\n>1\r\n+x\r\n").isPush()).isFalse();
  }

  @Test
  void pipelinedRepliesComeOutInOrderAsSlicesAndSpanningOnesAreAssembled() {
    byte[] first = bytes("+OK\r\n:1\r\n$5\r\nhel");
    byte[] second = bytes("lo\r\n*1\r\n$1\r\nx\r\n");
    ReplyDecoder d = new ReplyDecoder();
    d.feed(first);
    d.feed(second);
    Reply ok = d.next();
    Reply one = d.next();
    Reply hello = d.next();
    Reply array = d.next();
    assertThat(d.next()).isNull();
    assertThat(ok.frameArray()).isSameAs(first);
    assertThat(one.frameOffset()).isEqualTo(5);
    assertThat(hello.frameArray()).isEqualTo(bytes("$5\r\nhello\r\n"));
    assertThat(array.frameArray()).isSameAs(second);
    assertThat(array.value()).isEqualTo(RespValue.array(RespValue.bulk("x")));
    RespWriter w = new RespWriter();
    hello.writeTo(w);
    assertThat(w.toByteArray()).isEqualTo(hello.toByteArray());
  }

  @Test
  void countsBeyondTheDataDoNotAllocateUpFront() {
    ReplyDecoder d = new ReplyDecoder();
    d.feed(bytes("*2147483647\r\n%2147483647\r\n$536870912\r\nabc"));
    assertThat(d.next()).isNull();
    assertThat(d.hasPartialFrame()).isTrue();
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("?\r\n", "ERR Protocol error: invalid reply type byte '?'"),
        Arguments.of("\r\n", "ERR Protocol error: invalid reply type byte 0x0d"),
        Arguments.of(":1x\r\n", "ERR Protocol error: invalid integer"),
        Arguments.of(":\r\n", "ERR Protocol error: invalid integer"),
        Arguments.of(":9223372036854775808\r\n", "ERR Protocol error: invalid integer"),
        Arguments.of(":-9223372036854775809\r\n", "ERR Protocol error: invalid integer"),
        Arguments.of(":+1\r\n", "ERR Protocol error: invalid integer"),
        Arguments.of(":1\rx\n", "ERR Protocol error: invalid integer"),
        Arguments.of("_x\r\n", "ERR Protocol error: invalid null"),
        Arguments.of("#x\r\n", "ERR Protocol error: invalid boolean"),
        Arguments.of(",1.2.3\r\n", "ERR Protocol error: invalid double"),
        Arguments.of(",.\r\n", "ERR Protocol error: invalid double"),
        Arguments.of(",1e\r\n", "ERR Protocol error: invalid double"),
        Arguments.of(",Infinity\r\n", "ERR Protocol error: invalid double"),
        Arguments.of("(12a\r\n", "ERR Protocol error: invalid big number"),
        Arguments.of("(-\r\n", "ERR Protocol error: invalid big number"),
        Arguments.of("$x\r\n", "ERR Protocol error: invalid bulk length"),
        Arguments.of("$-2\r\n", "ERR Protocol error: invalid bulk length"),
        Arguments.of("!-1\r\n", "ERR Protocol error: invalid bulk length"),
        Arguments.of("$536870913\r\n", "ERR Protocol error: invalid bulk length"),
        Arguments.of("$3\r\nfooXY", "ERR Protocol error: expected CRLF after bulk string"),
        Arguments.of("$3\r\nfoo\rX", "ERR Protocol error: expected CRLF after bulk string"),
        Arguments.of("=3\r\ntxt\r\n", "ERR Protocol error: invalid verbatim string"),
        Arguments.of("=5\r\ntxt-x\r\n", "ERR Protocol error: invalid verbatim string"),
        Arguments.of("*x\r\n", "ERR Protocol error: invalid multibulk length"),
        Arguments.of("%-1\r\n", "ERR Protocol error: invalid multibulk length"),
        Arguments.of("*2147483648\r\n", "ERR Protocol error: invalid multibulk length"),
        Arguments.of("*1\r\n".repeat(129), "ERR Protocol error: reply nested deeper than 128 levels"),
        Arguments.of("+" + "x".repeat(70_000), "error-free prefix"),
        Arguments.of(":" + "1".repeat(70_000), "ERR Protocol error: too big reply line"));
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void rejectsMalformedReplies(String wire, String error) {
    byte[] in = bytes(wire);
    List<Object> expected = error.startsWith("ERR") ? List.of("error: " + error) : List.of();
    assertThat(Wire.replies(in, new int[0])).isEqualTo(expected);
    assertThat(Wire.replies(in, Wire.everyByte(in.length))).isEqualTo(expected);
  }

  @Test
  void nestingDepthIsConfigurable() {
    ReplyDecoder d = new ReplyDecoder(RespLimits.DEFAULT.withMaxNestingDepth(2));
    d.feed(bytes("*1\r\n*1\r\n:1\r\n*1\r\n%1\r\n~1\r\n"));
    assertThat(d.next().value()).isEqualTo(RespValue.array(RespValue.array(RespValue.integer(1))));
    assertThatThrownBy(d::next).hasMessage("ERR Protocol error: reply nested deeper than 2 levels");
    assertThatThrownBy(d::next).isInstanceOf(RespProtocolException.class);
  }
}
