package dev.rekko.protocol.resp;

import static dev.rekko.protocol.resp.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every protocol error a client can cause, with Redis 7.0's exact reply text. */
class RequestErrorsTest {

  record Case(String input, String error) {
    @Override
    public String toString() {
      return RespText.quote(bytes(input.length() > 40 ? input.substring(0, 40) : input)) + " -> " + error;
    }
  }

  static final String BIG = "x".repeat(64 * 1024);

  static List<Case> cases() {
    return List.of(
        new Case("*1\r\nx", "ERR Protocol error: expected '$', got 'x'"),
        new Case("*2\r\n$3\r\nGET\r\n:3\r\n", "ERR Protocol error: expected '$', got ':'"),
        // Redis's error reply turns CR into a space and ends its %c at a NUL byte.
        new Case("*1\r\n\r\n", "ERR Protocol error: expected '$', got ' '"),
        new Case("*1\r\n\u0000\r\n", "ERR Protocol error: expected '$', got '"),
        new Case("*x\r\n", "ERR Protocol error: invalid multibulk length"),
        new Case("*\r\n", "ERR Protocol error: invalid multibulk length"),
        new Case("*01\r\n", "ERR Protocol error: invalid multibulk length"),
        new Case("*+1\r\n", "ERR Protocol error: invalid multibulk length"),
        new Case("* 1\r\n", "ERR Protocol error: invalid multibulk length"),
        new Case("*-0\r\n", "ERR Protocol error: invalid multibulk length"),
        new Case("*2147483648\r\n", "ERR Protocol error: invalid multibulk length"),
        new Case("*99999999999999999999\r\n", "ERR Protocol error: invalid multibulk length"),
        // 21 characters: too long for string2ll although the first 20 are a valid (skipped) count.
        new Case("*-10000000000000000000\r\n", "ERR Protocol error: invalid multibulk length"),
        new Case("*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length"),
        new Case("*1\r\n$x\r\n", "ERR Protocol error: invalid bulk length"),
        new Case("*1\r\n$\r\n", "ERR Protocol error: invalid bulk length"),
        new Case("*1\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length"),
        new Case("*1\r\n$2000000000\r\n", "ERR Protocol error: invalid bulk length"),
        new Case("GET \"foo\n", "ERR Protocol error: unbalanced quotes in request"),
        new Case("GET 'foo\n", "ERR Protocol error: unbalanced quotes in request"),
        new Case("GET \"foo\"bar\n", "ERR Protocol error: unbalanced quotes in request"),
        new Case("GET 'foo'bar\n", "ERR Protocol error: unbalanced quotes in request"),
        new Case("GET \"foo\\\"\n", "ERR Protocol error: unbalanced quotes in request"),
        new Case("GET " + BIG, "ERR Protocol error: too big inline request"),
        new Case("GET " + BIG + "\r\n", "ERR Protocol error: too big inline request"),
        new Case("*" + BIG, "ERR Protocol error: too big mbulk count string"),
        new Case("*1\r\n$" + BIG, "ERR Protocol error: too big bulk count string"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void failsWithRedisText(Case c) {
    byte[] in = bytes(c.input());
    // Same error whether the input comes at once or byte by byte.
    assertThat(Wire.requests(in, new int[0])).containsExactly("error: " + c.error());
    assertThat(Wire.requests(in, Wire.everyByte(in.length))).containsExactly("error: " + c.error());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void failsAfterValidCommands(Case c) {
    byte[] in = bytes("*1\r\n$4\r\nPING\r\nPING\r\n" + c.input());
    assertThat(Wire.requests(in, new int[0])).hasSize(3).last().isEqualTo("error: " + c.error());
  }
}
