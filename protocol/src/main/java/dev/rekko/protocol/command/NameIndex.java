package dev.rekko.protocol.command;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Finds a command by its name given as a byte slice, ignoring ASCII case, without allocating: an
 * open-addressing table keyed by a hash of the lower-cased bytes, at most half full.
 */
final class NameIndex {
  private final byte[][] names;
  private final CommandSpec[] specs;
  private final int mask;

  /** @param byName lower-case names */
  NameIndex(Map<String, CommandSpec> byName) {
    int capacity = Integer.highestOneBit(Math.max(4, byName.size() * 2 - 1)) << 1;
    names = new byte[capacity][];
    specs = new CommandSpec[capacity];
    mask = capacity - 1;
    byName.forEach((name, spec) -> {
      byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
      int slot = hash(bytes, 0, bytes.length) & mask;
      while (names[slot] != null) {
        slot = (slot + 1) & mask;
      }
      names[slot] = bytes;
      specs[slot] = spec;
    });
  }

  CommandSpec get(byte[] a, int off, int len) {
    for (int slot = hash(a, off, len) & mask; ; slot = (slot + 1) & mask) {
      byte[] name = names[slot];
      if (name == null) {
        return null;
      }
      if (name.length == len && sameIgnoringCase(name, a, off)) {
        return specs[slot];
      }
    }
  }

  /** FNV-1a over the lower-cased bytes, with a final mix so the low bits spread. */
  private static int hash(byte[] a, int off, int len) {
    int h = 0x811C9DC5;
    for (int i = off; i < off + len; i++) {
      h = (h ^ lower(a[i])) * 0x01000193;
    }
    return h ^ (h >>> 16);
  }

  private static boolean sameIgnoringCase(byte[] lowerName, byte[] a, int off) {
    for (int i = 0; i < lowerName.length; i++) {
      if (lowerName[i] != lower(a[off + i])) {
        return false;
      }
    }
    return true;
  }

  private static int lower(byte b) {
    return b >= 'A' && b <= 'Z' ? b + 32 : b;
  }
}
