package dev.rekko.protocol.resp;

import static dev.rekko.protocol.resp.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A 100 MiB value fed in 64 KiB chunks. The chunks are slices of one input array so that the test
 * itself holds 100 MiB only once; the decoder's single exact-size copy is the other 100 MiB, well
 * within surefire's -Xmx512m (a copy grown by doubling would not be).
 */
class BigBulkTest {
  private static final int SIZE = 100 * 1024 * 1024;
  private static final int CHUNK = 64 * 1024;

  private static byte[] input(String header, String trailer) {
    byte[] h = bytes(header);
    byte[] t = bytes(trailer);
    byte[] in = new byte[h.length + SIZE + 2 + t.length];
    System.arraycopy(h, 0, in, 0, h.length);
    for (int i = 0; i < SIZE; i++) {
      in[h.length + i] = (byte) (i * 31 + (i >>> 13));
    }
    in[h.length + SIZE] = '\r';
    in[h.length + SIZE + 1] = '\n';
    System.arraycopy(t, 0, in, in.length - t.length, t.length);
    return in;
  }

  @Test
  void requestWithA100MibValue() {
    String header = "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + SIZE + "\r\n";
    byte[] in = input(header, "*1\r\n$4\r\nPING\r\n");
    RequestDecoder d = new RequestDecoder();
    Command set = null;
    int fed = 0;
    while (set == null) {
      int n = Math.min(CHUNK, in.length - fed);
      d.feed(in, fed, n);
      fed += n;
      set = d.next();
    }
    int frame = header.length() + SIZE + 2;
    assertThat(set.frameLength()).isEqualTo(frame);
    assertThat(set.frameArray()).isNotSameAs(in).hasSize(frame);
    assertThat(set.length(2)).isEqualTo(SIZE);
    assertThat(Arrays.equals(set.array(2), set.offset(2), set.offset(2) + SIZE, in, header.length(), header.length() + SIZE))
        .isTrue();
    assertThat(set.string(1)).isEqualTo("big");
    set = null;
    assertThat(d.next().string(0)).isEqualTo("PING");
  }

  @Test
  void replyWithA100MibValue() {
    String header = "*2\r\n:1\r\n$" + SIZE + "\r\n";
    byte[] in = input(header, "");
    ReplyDecoder d = new ReplyDecoder();
    Reply r = null;
    for (int fed = 0; fed < in.length; fed += CHUNK) {
      d.feed(in, fed, Math.min(CHUNK, in.length - fed));
      Reply next = d.next();
      if (next != null) {
        assertThat(r).isNull();
        r = next;
      }
    }
    assertThat(r).isNotNull();
    assertThat(r.frameArray()).hasSize(in.length);
    assertThat(Arrays.equals(r.frameArray(), in)).isTrue();
  }
}
