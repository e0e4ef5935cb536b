package dev.rekko.node.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** The argument checks and the slot-run arithmetic on their own. */
class AdminArgsTest {
  @Test
  void slotRanges() {
    assertThat(Args.SlotRange.parse("0-1023")).isEqualTo(new Args.SlotRange(0, 1023));
    assertThat(Args.SlotRange.parse("7")).isEqualTo(new Args.SlotRange(7, 7));
    assertThat(Args.SlotRange.parse("7").toString()).isEqualTo("7");
    assertThat(Args.SlotRange.parse(" 3-3 ")).isEqualTo(new Args.SlotRange(3, 3));
    for (String bad : List.of("", "-", "-1", "1-", "1024", "0-1024", "5-3", "a-b", "1-2-3", "1.5")) {
      assertThatThrownBy(() -> Args.SlotRange.parse(bad)).as(bad).isInstanceOf(TypeConversionException.class);
    }
  }

  @Test
  void serverAddresses() {
    Args.ServerAddr addr = new Args.ServerAddr();
    for (String good : List.of("127.0.0.1:6379", "redis-1.example.com:1", "[::1]:65535")) {
      assertThat(addr.convert(good)).isEqualTo(good);
    }
    for (String bad : List.of("", "6379", "h:", "h:0", "h:65536", "h:63 79", "::1:6379", "[]:1", "h/x:1", "a b:1")) {
      assertThatThrownBy(() -> addr.convert(bad)).as(bad).isInstanceOf(TypeConversionException.class);
    }
  }

  @Test
  void onOff() {
    Args.OnOff onOff = new Args.OnOff();
    assertThat(onOff.convert("on")).isTrue();
    assertThat(onOff.convert("TRUE")).isTrue();
    assertThat(onOff.convert("off")).isFalse();
    assertThat(onOff.convert("no")).isFalse();
    assertThatThrownBy(() -> onOff.convert("1")).isInstanceOf(TypeConversionException.class);
  }

  @Test
  void slotListsAsRanges() {
    assertThat(SlotRuns.ranges(List.of())).isEmpty();
    assertThat(SlotRuns.ranges(List.of(5))).isEqualTo("5");
    assertThat(SlotRuns.ranges(List.of(0, 1, 2, 5, 7, 8))).isEqualTo("0-2, 5, 7-8");
  }
}
