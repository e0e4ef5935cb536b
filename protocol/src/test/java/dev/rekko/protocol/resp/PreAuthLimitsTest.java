package dev.rekko.protocol.resp;

import static dev.rekko.protocol.resp.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Redis 7's limits before AUTH (10 arguments, bulks of 16 KiB) and the query buffer count: the
 * limits fail on the header, before the payload is buffered, whatever the chunking.
 */
class PreAuthLimitsTest {

  /** Decodes {@code input} fed in pieces of {@code piece} bytes by an unauthenticated client. */
  private static List<String> unauthenticated(String input, int piece) {
    RequestDecoder d = new RequestDecoder();
    d.unauthenticated(true);
    List<String> out = new ArrayList<>();
    byte[] in = bytes(input);
    try {
      for (int from = 0; from < in.length; from += piece) {
        byte[] chunk = java.util.Arrays.copyOfRange(in, from, Math.min(in.length, from + piece));
        d.feed(chunk);
        Command c;
        while ((c = d.next()) != null) {
          out.add(c.toString());
        }
      }
    } catch (RespProtocolException e) {
      out.add("error: " + e.getMessage());
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 1 << 20})
  void tooManyArgumentsBeforeAuthFailOnTheCount(int piece) {
    assertThat(unauthenticated("*11\r\n", piece))
        .containsExactly("error: ERR Protocol error: unauthenticated multibulk length");
    String ten = "*10\r\n" + "$1\r\na\r\n".repeat(10);
    assertThat(unauthenticated(ten, piece)).hasSize(1).first().asString().startsWith("[\"a\", \"a\"");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 1 << 20})
  void bigBulksBeforeAuthFailOnTheHeader(int piece) {
    assertThat(unauthenticated("*2\r\n$4\r\nAUTH\r\n$16385\r\n", piece))
        .containsExactly("error: ERR Protocol error: unauthenticated bulk length");
    String max = "x".repeat(16384);
    assertThat(unauthenticated("*1\r\n$16384\r\n" + max + "\r\n", piece)).hasSize(1);
  }

  @Test
  void redisChecksTheGeneralLimitsFirstAndSkipsEmptyMultibulks() {
    assertThat(unauthenticated("*2147483648\r\n", 100))
        .containsExactly("error: ERR Protocol error: invalid multibulk length");
    assertThat(unauthenticated("*1\r\n$536870913\r\n", 100))
        .containsExactly("error: ERR Protocol error: invalid bulk length");
    assertThat(unauthenticated("*-5\r\n*0\r\n*1\r\n$4\r\nPING\r\n", 100)).containsExactly("[\"PING\"]");
  }

  @Test
  void authenticatingLiftsTheLimitsForTheNextCommand() {
    RequestDecoder d = new RequestDecoder();
    d.unauthenticated(true);
    d.feed(bytes("*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*11\r\n" + "$1\r\nk\r\n".repeat(11)));
    assertThat(d.next().toString()).isEqualTo("[\"AUTH\", \"pw\"]");
    d.unauthenticated(false);
    assertThat(d.next().argc()).isEqualTo(11);
    // And back (RESET): the limits apply again.
    d.unauthenticated(true);
    d.feed(bytes("*11\r\n"));
    assertThatThrownBy(d::next).hasMessage("ERR Protocol error: unauthenticated multibulk length");
  }

  @Test
  void authenticatedClientsHaveOnlyTheGeneralLimits() {
    RequestDecoder d = new RequestDecoder(RespLimits.DEFAULT.withMaxBulkLength(1024 * 1024));
    d.feed(bytes("*1\r\n$100000\r\n"));
    assertThat(d.next()).as("waits for the payload").isNull();
    RequestDecoder e = new RequestDecoder(RespLimits.DEFAULT.withMaxBulkLength(1024 * 1024));
    e.feed(bytes("*1\r\n$1048577\r\n"));
    assertThatThrownBy(e::next).hasMessage("ERR Protocol error: invalid bulk length");
  }

  @Test
  void bufferedBytesCountWhatIsNotYetAFrame() {
    RequestDecoder d = new RequestDecoder();
    assertThat(d.bufferedBytes()).isZero();
    d.feed(bytes("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET"));
    assertThat(d.bufferedBytes()).isEqualTo(25);
    assertThat(d.next()).isNotNull();
    assertThat(d.bufferedBytes()).isEqualTo(11);
    assertThat(d.next()).isNull();
    assertThat(d.bufferedBytes()).as("the partial frame").isEqualTo(11);
    d.feed(bytes("\r\n$1\r\nk"));
    d.feed(bytes("\r\n"));
    assertThat(d.bufferedBytes()).isEqualTo(20);
    assertThat(d.next()).isNotNull();
    assertThat(d.bufferedBytes()).isZero();
    d.feed(bytes("*1\r\n$100\r\n"));
    d.feed(bytes("x".repeat(60)));
    assertThat(d.next()).isNull();
    assertThat(d.bufferedBytes()).isEqualTo(70);
  }
}
