package dev.rekko.protocol.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CommandFileTest {

  @Test
  void everyLineRoundTrips() {
    for (CommandSpec spec : CommandTable.all()) {
      CommandSpec again = CommandFile.parse(CommandFile.format(spec));
      assertThat(CommandFile.format(again)).isEqualTo(CommandFile.format(spec));
      assertThat(again.keySpecs()).isEqualTo(spec.keySpecs());
      assertThat(again.flags()).isEqualTo(spec.flags());
    }
  }

  @Test
  void parsesEveryKeySpecShape() {
    assertThat(CommandFile.parseKeySpec("RW+access+delete+incomplete/keyword:KEYS,-2/range:-1,1,0"))
        .isEqualTo(new KeySpec(Set.of(KeySpec.Flag.RW, KeySpec.Flag.ACCESS, KeySpec.Flag.DELETE,
            KeySpec.Flag.INCOMPLETE), new KeySpec.Keyword("KEYS", -2), new KeySpec.Range(-1, 1, 0)));
    assertThat(CommandFile.parseKeySpec("RO/index:2/keynum:0,1,1").find())
        .isEqualTo(new KeySpec.Keynum(0, 1, 1));
    assertThat(CommandFile.parseKeySpec("-/unknown/unknown"))
        .isEqualTo(new KeySpec(Set.of(), new KeySpec.UnknownBegin(), new KeySpec.UnknownFind()));
  }

  @Test
  void rejectsMalformedLines() {
    assertThatThrownBy(() -> CommandFile.parse("get 2 readonly 1 1 1 1.0.0"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CommandFile.parse("get 2 nosuchflag 1 1 1 1.0.0 SINGLE_SLOT"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CommandFile.parse("get 2 - 1 1 1 1.0.0 SINGLE_SLOT RO/index:1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CommandFile.parse("get 2 - 1 1 1 1.0.0 MAYBE"))
        .isInstanceOf(IllegalArgumentException.class);
    // Keys the generic interpreter cannot find need a custom finder; a new such command must fail loudly.
    assertThatThrownBy(() -> CommandFile.parse("newcmd -2 - 0 0 0 9.0.0 SINGLE_SLOT RO/unknown/unknown"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CommandFile.parse("newcmd -2 - 0 0 0 9.0.0 SINGLE_SLOT RO/index:1/keynum:0,1,1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CommandTable.parse(List.of("a|b 2 - 0 0 0 1.0.0 PROXY")))
        .isInstanceOf(IllegalStateException.class);
  }
}
