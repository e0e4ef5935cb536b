package dev.rekko.protocol;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Codis's key → slot rule, kept bit-for-bit so that data already placed by Codis stays in the right slot:
 * {@code crc32_ieee(hashkey) % 1024}, where the hash key is the bytes between the first '{' and the first
 * '}' after it — even when that is empty — and the whole key otherwise. Note the difference from Redis
 * Cluster, which ignores an empty tag and uses CRC16.
 */
public final class SlotHash {
  public static final int SLOTS = 1024;

  private static final int[] TABLE = new int[256];

  static {
    for (int n = 0; n < 256; n++) {
      int c = n;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
      }
      TABLE[n] = c;
    }
  }

  private SlotHash() {}

  public static int slot(byte[] key) {
    return slot(key, 0, key.length);
  }

  public static int slot(String key) {
    return slot(key.getBytes(StandardCharsets.UTF_8));
  }

  /** The slot of {@code key[off, off+len)}; no copy, no allocation (the hot path calls this per key). */
  public static int slot(byte[] key, int off, int len) {
    int end = off + len;
    int from = off;
    int to = end;
    for (int i = off; i < end; i++) {
      if (key[i] == '{') {
        for (int j = i + 1; j < end; j++) {
          if (key[j] == '}') {
            from = i + 1;
            to = j;
            break;
          }
        }
        break;
      }
    }
    // Table-driven CRC-32 rather than java.util.zip.CRC32 to avoid an object per key on the hot path.
    int crc = 0xFFFFFFFF;
    for (int i = from; i < to; i++) {
      crc = TABLE[(crc ^ key[i]) & 0xFF] ^ (crc >>> 8);
    }
    return (int) ((~crc & 0xFFFFFFFFL) % SLOTS);
  }

  /** The same rule computed with the JDK's CRC32; used by tests as an independent check. */
  static int slotWithJdkCrc(byte[] key) {
    int from = 0;
    int to = key.length;
    int open = indexOf(key, (byte) '{', 0);
    if (open >= 0) {
      int close = indexOf(key, (byte) '}', open + 1);
      if (close >= 0) {
        from = open + 1;
        to = close;
      }
    }
    CRC32 crc = new CRC32();
    crc.update(key, from, to - from);
    return (int) (crc.getValue() % SLOTS);
  }

  private static int indexOf(byte[] a, byte b, int from) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
