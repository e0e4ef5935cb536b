package dev.rekko.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorsTest {

  @Test
  void unknownCommandQuotesTheFirstArguments() {
    assertThat(Errors.unknownCommand(Args.of("foo"))).isEqualTo(
        "ERR unknown command 'foo', with args beginning with: ");
    assertThat(Errors.unknownCommand(Args.of("foo", "a", "b"))).isEqualTo(
        "ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
  }

  @Test
  void unknownCommandCutsAt128BytesLikeRedis() {
    String a = "a".repeat(100);
    String b = "b".repeat(100);
    assertThat(Errors.unknownCommand(Args.of("foo", a, b, "c"))).isEqualTo(
        "ERR unknown command 'foo', with args beginning with: '" + a + "' '" + "b".repeat(25) + "' ");
    assertThat(Errors.unknownCommand(Args.of("c".repeat(200), "x"))).isEqualTo(
        "ERR unknown command '" + "c".repeat(128) + "', with args beginning with: 'x' ");
  }

  @Test
  void unknownCommandKeepsTheReplyOnOneLineAndStopsAtNul() {
    assertThat(Errors.unknownCommand(Args.of("foo", "x\r\ny"))).isEqualTo(
        "ERR unknown command 'foo', with args beginning with: 'x  y' ");
    assertThat(Errors.unknownCommand(Args.of(new byte[] {'f', 0, 'g'}, new byte[] {'a', 0, 'b'})))
        .isEqualTo("ERR unknown command 'f', with args beginning with: 'a' ");
  }

  @Test
  void bytesBecomeOneCharEach() {
    String text = Errors.unknownCommand(Args.of(new byte[] {'f'}, new byte[] {(byte) 0xC3, (byte) 0xA9}));
    assertThat(text).endsWith("'\u00C3\u00A9' ");
  }

  @Test
  void subcommandAndArityErrors() {
    assertThat(Errors.unknownSubcommand(Args.of("client", "foo"))).isEqualTo(
        "ERR unknown subcommand 'foo'. Try CLIENT HELP.");
    assertThat(Errors.wrongArity("client|setname")).isEqualTo(
        "ERR wrong number of arguments for 'client|setname' command");
  }

  @Test
  void codisTexts() {
    assertThat(Errors.notAllowed("keys")).isEqualTo("ERR handle request, command 'KEYS' is not allowed");
    assertThat(Errors.invalidDbIndex(16)).isEqualTo("ERR invalid DB index, only accept DB [0,16)");
    assertThat(Errors.ROUTER_NOT_ONLINE).isEqualTo("ERR router is not online");
    assertThat(Errors.SLOT_NOT_READY).isEqualTo("ERR handle request, slot is not ready, may be offline");
  }

  @Test
  void noReplyStartsWithTheMinusTheEncoderAdds() {
    for (String s : new String[] {Errors.SYNTAX, Errors.CROSSSLOT, Errors.NOAUTH, Errors.WRONGPASS,
        Errors.NOPROTO, Errors.MAX_CLIENTS, Errors.ROUTER_NOT_ONLINE}) {
      assertThat(s).doesNotStartWith("-").doesNotContain("\r", "\n");
    }
  }
}
