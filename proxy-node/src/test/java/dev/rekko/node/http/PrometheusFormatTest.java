package dev.rekko.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusFormatTest {
  @Test
  void escapesLabelValues() {
    assertThat(PrometheusFormat.escape("plain")).isEqualTo("plain");
    assertThat(PrometheusFormat.escape("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
  }
}
