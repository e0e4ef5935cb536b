package dev.rekko.protocol.resp;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Random valid values and commands for the fuzz tests. */
final class Generators {
  private final Random rnd;

  Generators(Random rnd) {
    this.rnd = rnd;
  }

  byte[] bytes(int maxLength) {
    byte[] b = new byte[rnd.nextInt(maxLength + 1)];
    rnd.nextBytes(b);
    // Make the protocol's own characters common inside payloads.
    for (int i = 0; i < b.length; i++) {
      if (rnd.nextInt(4) == 0) {
        b[i] = (byte) "\r\n*$:+-\"' \\".charAt(rnd.nextInt(11));
      }
    }
    return b;
  }

  /** Text a simple string or error can hold: no CR or LF, any other BMP character but surrogates. */
  String line() {
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(20);
    for (int i = 0; i < n; i++) {
      char c = rnd.nextInt(8) == 0 ? (char) (0x80 + rnd.nextInt(0xd000)) : (char) (0x20 + rnd.nextInt(0x5f));
      sb.append(c);
    }
    return sb.toString();
  }

  long integer() {
    return switch (rnd.nextInt(4)) {
      case 0 -> Long.MIN_VALUE + rnd.nextInt(2);
      case 1 -> Long.MAX_VALUE - rnd.nextInt(2);
      case 2 -> rnd.nextInt(2001) - 1000;
      default -> rnd.nextLong();
    };
  }

  double real() {
    return switch (rnd.nextInt(8)) {
      case 0 -> Double.NaN;
      case 1 -> Double.POSITIVE_INFINITY;
      case 2 -> Double.NEGATIVE_INFINITY;
      case 3 -> -0.0;
      case 4 -> Double.MIN_VALUE;
      case 5 -> rnd.nextInt(1000);
      default -> Double.longBitsToDouble(rnd.nextLong() & 0x7fefffffffffffffL) * (rnd.nextBoolean() ? 1 : -1);
    };
  }

  RespValue value(int depth) {
    int kinds = depth <= 0 ? 12 : 17;
    return switch (rnd.nextInt(kinds)) {
      case 0 -> new RespValue.SimpleString(line());
      case 1 -> new RespValue.Error(line());
      case 2 -> new RespValue.Integer(integer());
      case 3, 4 -> new RespValue.BulkString(bytes(rnd.nextInt(10) == 0 ? 300 : 20));
      case 5 -> new RespValue.NullBulk();
      case 6 -> new RespValue.NullArray();
      case 7 -> new RespValue.Null();
      case 8 -> new RespValue.Boolean(rnd.nextBoolean());
      case 9 -> new RespValue.Double(real());
      case 10 -> new RespValue.BigNumber(new BigInteger(1 + rnd.nextInt(200), rnd).subtract(BigInteger.TEN.pow(20)));
      case 11 -> rnd.nextBoolean()
          ? new RespValue.BulkError(bytes(30))
          : new RespValue.Verbatim(rnd.nextBoolean() ? "txt" : "mkd", bytes(30));
      case 12 -> new RespValue.Array(values(depth - 1));
      case 13 -> new RespValue.Map(entries(depth - 1));
      case 14 -> new RespValue.Set(values(depth - 1));
      case 15 -> new RespValue.Push(values(depth - 1));
      default -> new RespValue.Attribute(entries(depth - 1), value(depth - 1));
    };
  }

  private List<RespValue> values(int depth) {
    List<RespValue> out = new ArrayList<>();
    for (int i = rnd.nextInt(5); i > 0; i--) {
      out.add(value(depth));
    }
    return out;
  }

  private List<Map.Entry<RespValue, RespValue>> entries(int depth) {
    List<Map.Entry<RespValue, RespValue>> out = new ArrayList<>();
    for (int i = rnd.nextInt(4); i > 0; i--) {
      out.add(Map.entry(value(depth), value(depth)));
    }
    return out;
  }

  byte[][] command() {
    byte[][] argv = new byte[1 + rnd.nextInt(6)][];
    for (int i = 0; i < argv.length; i++) {
      argv[i] = bytes(rnd.nextInt(20) == 0 ? 2000 : 16);
    }
    return argv;
  }

  /** Bytes from the protocol's alphabet, so that garbage often gets past the first checks. */
  byte[] garbage(int length) {
    String alphabet = "*$+-:_#,(!=%~>|\r\n\r\n0123456789-1\"' \\xtf";
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = rnd.nextInt(10) == 0 ? (byte) rnd.nextInt(256) : (byte) alphabet.charAt(rnd.nextInt(alphabet.length()));
    }
    return b;
  }

  /** {@code in} with a few bytes replaced, inserted or deleted. */
  byte[] mutate(byte[] in) {
    List<Byte> out = new ArrayList<>(in.length + 8);
    for (byte b : in) {
      out.add(b);
    }
    for (int m = 1 + rnd.nextInt(3); m > 0; m--) {
      int at = out.isEmpty() ? 0 : rnd.nextInt(out.size());
      byte b = garbage(1)[0];
      switch (rnd.nextInt(3)) {
        case 0 -> out.add(at, b);
        case 1 -> {
          if (!out.isEmpty()) {
            out.remove(at);
          }
        }
        default -> {
          if (!out.isEmpty()) {
            out.set(at, b);
          }
        }
      }
    }
    byte[] result = new byte[out.size()];
    for (int i = 0; i < result.length; i++) {
      result[i] = out.get(i);
    }
    return result;
  }
}
