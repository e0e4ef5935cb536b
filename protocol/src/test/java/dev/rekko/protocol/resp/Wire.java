package dev.rekko.protocol.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test helpers: protocol text as bytes, and decoding whole inputs under a given chunking. */
final class Wire {
  private Wire() {}

  /** Protocol text to bytes, one byte per char (ISO-8859-1), so tests can spell binary data. */
  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static String text(byte[] a, int off, int len) {
    return new String(a, off, len, StandardCharsets.ISO_8859_1);
  }

  static byte[] concat(List<byte[]> parts) {
    int n = parts.stream().mapToInt(p -> p.length).sum();
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }

  /** A decoded request reduced to what must not depend on chunking. */
  record Req(boolean inline, List<String> args, String frame) {
    static Req of(Command c) {
      List<String> args = new ArrayList<>();
      for (int i = 0; i < c.argc(); i++) {
        args.add(c.string(i));
      }
      return new Req(c.isInline(), args, text(c.frameArray(), c.frameOffset(), c.frameLength()));
    }
  }

  /** A decoded reply reduced likewise. */
  record Rep(String frame, byte valueType, RespValue value) {
    static Rep of(Reply r) {
      return new Rep(text(r.frameArray(), r.frameOffset(), r.frameLength()), r.valueType(), r.value());
    }
  }

  /** Everything the input decodes to, or the error text it ends with, as the last element. */
  static List<Object> requests(byte[] input, int[] cuts) {
    return decode(input, cuts, new RequestDecoder(), d -> {
      Command c = ((RequestDecoder) d).next();
      return c == null ? null : Req.of(c);
    });
  }

  static List<Object> replies(byte[] input, int[] cuts) {
    return decode(input, cuts, new ReplyDecoder(), d -> {
      Reply r = ((ReplyDecoder) d).next();
      return r == null ? null : Rep.of(r);
    });
  }

  interface Step {
    Object next(ChunkedInput decoder);
  }

  /**
   * Feeds {@code input} cut at the ascending positions {@code cuts}, each piece in its own array
   * (so zero-copy cannot hide a bug), draining the decoder after each piece.
   */
  static List<Object> decode(byte[] input, int[] cuts, ChunkedInput decoder, Step step) {
    List<Object> out = new ArrayList<>();
    int from = 0;
    try {
      for (int i = 0; i <= cuts.length; i++) {
        int to = i < cuts.length ? cuts[i] : input.length;
        if (to > from) {
          byte[] piece = java.util.Arrays.copyOfRange(input, from, to);
          decoder.feed(piece, 0, piece.length);
        }
        from = to;
        for (Object o; (o = step.next(decoder)) != null; ) {
          out.add(o);
        }
      }
    } catch (RespProtocolException e) {
      out.add("error: " + e.getMessage());
    }
    return out;
  }

  /** Ascending random cut positions in {@code [1, length)}, pieces averaging {@code mean} bytes. */
  static int[] randomCuts(Random rnd, int length, int mean) {
    List<Integer> cuts = new ArrayList<>();
    int p = 0;
    while (true) {
      p += 1 + rnd.nextInt(2 * mean);
      if (p >= length) {
        break;
      }
      cuts.add(p);
    }
    return cuts.stream().mapToInt(Integer::intValue).toArray();
  }

  static int[] everyByte(int length) {
    int[] cuts = new int[Math.max(0, length - 1)];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    return cuts;
  }
}
