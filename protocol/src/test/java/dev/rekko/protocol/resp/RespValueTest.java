package dev.rekko.protocol.resp;

import static dev.rekko.protocol.resp.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespValueTest {

  @Test
  void byteRecordsCompareByContent() {
    assertThat(new RespValue.BulkString(bytes("ab"))).isEqualTo(RespValue.bulk("ab"))
        .hasSameHashCodeAs(RespValue.bulk("ab")).isNotEqualTo(RespValue.bulk("abc"));
    assertThat(new RespValue.BulkError(bytes("E"))).isEqualTo(new RespValue.BulkError(bytes("E")))
        .hasSameHashCodeAs(new RespValue.BulkError(bytes("E"))).isNotEqualTo(new RespValue.BulkString(bytes("E")));
    assertThat(new RespValue.Verbatim("txt", bytes("x"))).isEqualTo(new RespValue.Verbatim("txt", bytes("x")))
        .hasSameHashCodeAs(new RespValue.Verbatim("txt", bytes("x")))
        .isNotEqualTo(new RespValue.Verbatim("mkd", bytes("x")));
    assertThat(RespValue.array(RespValue.bulk("a"))).isEqualTo(RespValue.array(RespValue.bulk("a")))
        .hasSameHashCodeAs(RespValue.array(RespValue.bulk("a")));
    assertThat(new RespValue.Double(Double.NaN)).isEqualTo(new RespValue.Double(Double.NaN));
    assertThat(new RespValue.NullBulk()).isNotEqualTo(new RespValue.Null()).isNotEqualTo(new RespValue.NullArray());
  }

  @Test
  void aggregatesAreImmutableCopies() {
    List<RespValue> list = new ArrayList<>(List.of(RespValue.integer(1)));
    RespValue.Array a = new RespValue.Array(list);
    list.add(RespValue.integer(2));
    assertThat(a.elements()).hasSize(1);
    assertThatThrownBy(() -> a.elements().add(RespValue.integer(3))).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toStringIsReadable() {
    assertThat(RespValue.bulk("a\r\n\u0001\"")).hasToString("BulkString[\"a\\r\\n\\x01\\\"\"]");
    assertThat(RespValue.array(RespValue.bulk("x"), RespValue.integer(1)))
        .hasToString("Array[elements=[BulkString[\"x\"], Integer[value=1]]]");
    assertThat(new RespValue.Verbatim("txt", bytes("hi"))).hasToString("Verbatim[txt:\"hi\"]");
  }

  @Test
  void verbatimFormatIsThreeBytes() {
    assertThatThrownBy(() -> new RespValue.Verbatim("text", bytes("x"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RespValue.Verbatim("t\u0100t", bytes("x"))).isInstanceOf(IllegalArgumentException.class);
    assertThat(new RespValue.Verbatim("t:\u00ff", bytes("x")).format()).isEqualTo("t:\u00ff");
  }
}
