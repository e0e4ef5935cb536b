package dev.rekko.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code rekko.proxy}'s memory settings: Redis's syntax and defaults, percentages, and what is refused. */
class ClientLimitsConfigTest {
  private static final long MB = 1024 * 1024;

  @Test
  void defaults() {
    ProxySettings p = NodeConfig.of(Map.of()).proxy();
    assertThat(p.protectedMode()).isTrue();
    ClientLimits l = p.limits();
    assertThat(l).isEqualTo(ClientLimits.defaults());
    assertThat(l.outputHard()).isZero();
    assertThat(l.outputSoft()).isZero();
    assertThat(l.outputSoftTime()).isZero();
    assertThat(l.outputPause()).isEqualTo(MB);
    assertThat(l.maxMemory()).isEqualTo(Runtime.getRuntime().maxMemory() / 100 * 25);
    assertThat(l.queryBufferLimit()).isEqualTo(1024 * MB);
    assertThat(l.protoMaxBulkLen()).isEqualTo(512 * MB);
    assertThat(l.respLimits().maxBulkLength()).isEqualTo(512 * MB);
  }

  @Test
  void redisSyntax() {
    ClientLimits l = NodeConfig.of(Map.of(
        "rekko.proxy.client-output-buffer-limit", "256mb 64MB 60",
        "rekko.proxy.client-output-pause", "512kb",
        "rekko.proxy.max-memory", "2gb",
        "rekko.proxy.client-query-buffer-limit", "3000000",
        "rekko.proxy.proto-max-bulk-len", "2m",
        "rekko.proxy.protected-mode", "off")).proxy().limits();
    assertThat(l.outputHard()).isEqualTo(256 * MB);
    assertThat(l.outputSoft()).isEqualTo(64 * MB);
    assertThat(l.outputSoftTime()).isEqualTo(Duration.ofSeconds(60));
    assertThat(l.outputPause()).isEqualTo(512 * 1024);
    assertThat(l.maxMemory()).isEqualTo(2048 * MB);
    assertThat(l.queryBufferLimit()).isEqualTo(3_000_000);
    assertThat(l.protoMaxBulkLen()).isEqualTo(2_000_000);
  }

  @Test
  void theEnvironmentNamesEachSetting() {
    ProxySettings p = NodeConfig.load(java.util.Optional.empty(), Map.of(), Map.of(
        "REKKO_PROXY_CLIENT_OUTPUT_BUFFER_LIMIT", "1gb 0 0", "REKKO_PROXY_MAX_MEMORY", "50%",
        "REKKO_PROXY_PROTECTED_MODE", "off", "REKKO_PROXY_CLIENT_OUTPUT_PAUSE", "0",
        "REKKO_PROXY_CLIENT_QUERY_BUFFER_LIMIT", "2mb", "REKKO_PROXY_PROTO_MAX_BULK_LEN", "1mb")).proxy();
    assertThat(p.protectedMode()).isFalse();
    assertThat(p.limits().outputHard()).isEqualTo(1024 * MB);
    assertThat(p.limits().maxMemory()).isEqualTo(Runtime.getRuntime().maxMemory() / 100 * 50);
    assertThat(p.limits().outputPause()).isZero();
    assertThat(p.limits().queryBufferLimit()).isEqualTo(2 * MB);
    assertThat(p.limits().protoMaxBulkLen()).isEqualTo(MB);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "rekko.proxy.client-output-buffer-limit | 256mb 64mb | rekko.proxy.client-output-buffer-limit: expected \"<hard> <soft> <soft-seconds>\"",
      "rekko.proxy.client-output-buffer-limit | 1tb 0 0    | rekko.proxy.client-output-buffer-limit: \"1tb\" is not a number of bytes",
      "rekko.proxy.client-output-buffer-limit | 0 0 1m     | rekko.proxy.client-output-buffer-limit: \"1m\" is not a whole number of seconds",
      "rekko.proxy.client-output-pause        | -1         | rekko.proxy.client-output-pause: expected a number of bytes with an optional unit",
      "rekko.proxy.max-memory                 | 120%       | rekko.proxy.max-memory: expected a percentage of the heap such as 25%",
      "rekko.proxy.max-memory                 | lots       | rekko.proxy.max-memory: expected a percentage of the heap such as 25%",
      "rekko.proxy.client-query-buffer-limit  | 100kb      | rekko.proxy.client-query-buffer-limit: 100kb is out of range, must be at least 1048576 bytes",
      "rekko.proxy.proto-max-bulk-len         | 4gb        | rekko.proxy.proto-max-bulk-len: 4gb is out of range, must be 1048576..2147483583 bytes",
      "rekko.proxy.protected-mode             | maybe      | rekko.proxy.protected-mode: expected on/off (true/false)",
  })
  void refusedWithTheKeyNamed(String key, String value, String expected) {
    NodeConfigException e = catchThrowableOfType(NodeConfigException.class, () -> NodeConfig.of(Map.of(key, value)));
    assertThat(e).isNotNull();
    assertThat(e.problems()).singleElement().asString().startsWith(expected);
  }

  @Test
  void byteSizesAreRedises() {
    assertThat(ByteSize.parse("0")).isZero();
    assertThat(ByteSize.parse("10b")).isEqualTo(10);
    assertThat(ByteSize.parse("1k")).isEqualTo(1000);
    assertThat(ByteSize.parse("1KB")).isEqualTo(1024);
    assertThat(ByteSize.parse("1g")).isEqualTo(1_000_000_000);
    assertThat(ByteSize.parse("1Gb")).isEqualTo(1024 * MB);
    assertThat(ByteSize.parse("1 mb")).isEqualTo(MB);
    assertThat(ByteSize.parse("1.5mb")).isEqualTo(-1);
    assertThat(ByteSize.parse("mb")).isEqualTo(-1);
    assertThat(ByteSize.parse("99999999999999gb")).isEqualTo(-1);
    assertThat(ByteSize.parseOrPercent("25%", 1000)).isEqualTo(250);
    assertThat(ByteSize.parseOrPercent("0%", 1000)).isZero();
    assertThat(ByteSize.parseOrPercent("101%", 1000)).isEqualTo(-1);
  }
}
