package dev.rekko.protocol.resp;

import static dev.rekko.protocol.resp.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rekko.protocol.Args;
import java.math.BigInteger;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class RespWriterTest {

  private static String written(Consumer<RespWriter> body) {
    RespWriter w = new RespWriter(16);
    body.accept(w);
    assertThat(w.toByteArray()).hasSize(w.length());
    return Wire.text(w.array(), 0, w.length());
  }

  @Test
  void resp2Types() {
    assertThat(written(w -> w.writeSimpleString("OK"))).isEqualTo("+OK\r\n");
    assertThat(written(w -> w.writeError("ERR no"))).isEqualTo("-ERR no\r\n");
    assertThat(written(w -> w.writeInteger(0))).isEqualTo(":0\r\n");
    assertThat(written(w -> w.writeInteger(-1))).isEqualTo(":-1\r\n");
    assertThat(written(w -> w.writeInteger(1234567890123L))).isEqualTo(":1234567890123\r\n");
    assertThat(written(w -> w.writeInteger(Long.MAX_VALUE))).isEqualTo(":9223372036854775807\r\n");
    assertThat(written(w -> w.writeInteger(Long.MIN_VALUE))).isEqualTo(":-9223372036854775808\r\n");
    assertThat(written(w -> w.writeBulk(bytes("a\r\nb")))).isEqualTo("$4\r\na\r\nb\r\n");
    assertThat(written(w -> w.writeBulk(bytes("xhellox"), 1, 5))).isEqualTo("$5\r\nhello\r\n");
    assertThat(written(w -> w.writeBulk(""))).isEqualTo("$0\r\n\r\n");
    assertThat(written(w -> w.writeBulk("é"))).isEqualTo("$2\r\n\u00c3\u00a9\r\n");
    assertThat(written(w -> w.writeNullBulk())).isEqualTo("$-1\r\n");
    assertThat(written(w -> w.writeArrayHeader(2).writeBulk("a").writeInteger(1))).isEqualTo("*2\r\n$1\r\na\r\n:1\r\n");
    assertThat(written(w -> w.writeNullArray())).isEqualTo("*-1\r\n");
  }

  @Test
  void resp3Types() {
    assertThat(written(w -> w.writeMapHeader(1).writeSimpleString("k").writeInteger(1))).isEqualTo("%1\r\n+k\r\n:1\r\n");
    assertThat(written(w -> w.writeSetHeader(0))).isEqualTo("~0\r\n");
    assertThat(written(w -> w.writePushHeader(3))).isEqualTo(">3\r\n");
    assertThat(written(w -> w.writeAttributeHeader(1))).isEqualTo("|1\r\n");
    assertThat(written(w -> w.writeNull())).isEqualTo("_\r\n");
    assertThat(written(w -> w.writeBoolean(true).writeBoolean(false))).isEqualTo("#t\r\n#f\r\n");
    assertThat(written(w -> w.writeDouble(1.5))).isEqualTo(",1.5\r\n");
    assertThat(written(w -> w.writeDouble(Double.POSITIVE_INFINITY))).isEqualTo(",inf\r\n");
    assertThat(written(w -> w.writeDouble(Double.NEGATIVE_INFINITY))).isEqualTo(",-inf\r\n");
    assertThat(written(w -> w.writeDouble(Double.NaN))).isEqualTo(",nan\r\n");
    assertThat(written(w -> w.writeBigNumber(new BigInteger("-3492890328409238509324850943850943825024385"))))
        .isEqualTo("(-3492890328409238509324850943850943825024385\r\n");
    assertThat(written(w -> w.writeVerbatim("txt", bytes("Some string")))).isEqualTo("=15\r\ntxt:Some string\r\n");
    assertThat(written(w -> w.writeBulkError(bytes("SYNTAX invalid")))).isEqualTo("!14\r\nSYNTAX invalid\r\n");
  }

  @Test
  void linesCannotCarryCrOrLf() {
    assertThat(written(w -> w.writeError("ERR a\r\nb"))).isEqualTo("-ERR a  b\r\n");
    assertThat(written(w -> w.writeSimpleString("x\ny"))).isEqualTo("+x y\r\n");
  }

  @Test
  void commands() {
    assertThat(written(w -> w.writeCommand(bytes("GET"), bytes("foo")))).isEqualTo("*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n");
    assertThat(written(w -> w.writeCommand(Args.of("SET", "k", "")))).isEqualTo("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
  }

  @Test
  void valueTrees() {
    RespValue tree = new RespValue.Attribute(
        List.of(RespValue.entry(RespValue.simple("ttl"), RespValue.integer(3))),
        new RespValue.Map(List.of(
            RespValue.entry(RespValue.bulk("a"), RespValue.array(new RespValue.Null(), new RespValue.NullBulk())),
            RespValue.entry(new RespValue.Set(List.of(new RespValue.Boolean(true))),
                new RespValue.Push(List.of(new RespValue.NullArray(), new RespValue.Double(0.25)))))));
    assertThat(written(w -> w.write(tree))).isEqualTo(
        "|1\r\n+ttl\r\n:3\r\n%2\r\n$1\r\na\r\n*2\r\n_\r\n$-1\r\n~1\r\n#t\r\n>2\r\n*-1\r\n,0.25\r\n");
    assertThat(written(w -> w.write(RespValue.error("ERR x")).write(new RespValue.BulkError(bytes("E")))
        .write(new RespValue.Verbatim("mkd", bytes("# t"))).write(new RespValue.BigNumber(BigInteger.TEN))))
        .isEqualTo("-ERR x\r\n!1\r\nE\r\n=7\r\nmkd:# t\r\n(10\r\n");
  }

  @Test
  void resetKeepsTheBufferAndGrowsAsNeeded() {
    RespWriter w = new RespWriter(16);
    byte[] big = new byte[3 * 1024 * 1024 + 7];
    big[big.length - 1] = 42;
    w.writeBulk(big);
    assertThat(w.length()).isEqualTo(big.length + "$3145735\r\n\r\n".length());
    assertThat(w.array()[w.length() - 3]).isEqualTo((byte) 42);
    byte[] buffer = w.array();
    w.reset().writeSimpleString("OK");
    assertThat(w.array()).isSameAs(buffer);
    assertThat(w.toByteArray()).isEqualTo(bytes("+OK\r\n"));
  }
}
