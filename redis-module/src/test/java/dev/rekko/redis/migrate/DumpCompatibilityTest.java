package dev.rekko.redis.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DumpCompatibilityTest {
  @Test
  void olderToNewerAndSameFormatAreFine() {
    assertThatCode(() -> DumpCompatibility.check("6.2.14", "7.0.15")).doesNotThrowAnyException();
    assertThatCode(() -> DumpCompatibility.check("7.0.15", "7.0.2")).doesNotThrowAnyException();
    assertThatCode(() -> DumpCompatibility.check("7.0.15", "7.4.1")).doesNotThrowAnyException();
    // 6.0 and 6.2 (and 5.0) write the same format; so do 7.4 and 8.0.
    assertThatCode(() -> DumpCompatibility.check("6.2.6", "6.0.20")).doesNotThrowAnyException();
    assertThatCode(() -> DumpCompatibility.check("8.0.2", "7.4.3")).doesNotThrowAnyException();
    assertThat(DumpCompatibility.reason("7.2.4", "7.2.0")).isEmpty();
  }

  @Test
  void newerToOlderIsRefusedWithTheReason() {
    assertThatThrownBy(() -> DumpCompatibility.check("7.0.15", "6.2.14"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a DUMP payload of Redis 7.0 cannot be restored by 6.2")
        .hasMessageContaining("DUMP payload version or checksum are wrong");
    assertThat(DumpCompatibility.reason("7.2.4", "7.0.15")).isPresent();
    assertThat(DumpCompatibility.reason("7.4.0", "7.2.4")).isPresent();
  }

  @Test
  void versionsBeyondTheTableNeedATargetAtLeastAsNew() {
    assertThat(DumpCompatibility.reason("9.1.0", "9.1.3")).isEmpty();
    assertThat(DumpCompatibility.reason("9.1.0", "9.2.0")).isEmpty();
    assertThat(DumpCompatibility.reason("9.2.0", "9.1.0")).isPresent();
    assertThat(DumpCompatibility.reason("9.0.0", "8.4.0")).isPresent();
    assertThat(DumpCompatibility.reason("8.4.0", "9.0.0")).isEmpty();
  }

  @Test
  void versionTextIsReadLeniently() {
    assertThat(DumpCompatibility.majorMinor("7.0.15")).isEqualTo(700);
    assertThat(DumpCompatibility.majorMinor("v6.2")).isEqualTo(602);
    assertThat(DumpCompatibility.majorMinor("7.2.4-rc1")).isEqualTo(702);
    assertThatThrownBy(() -> DumpCompatibility.majorMinor("seven")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DumpCompatibility.check(null, "7.0.0")).isInstanceOf(IllegalArgumentException.class);
  }
}
