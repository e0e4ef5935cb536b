package dev.rekko.redis.migrate;

import dev.rekko.protocol.resp.RespValue;
import java.io.IOException;
import java.util.List;

/**
 * Key sizes from {@code MEMORY USAGE}, asked for all keys at once in one pipeline. Chosen over
 * {@code DEBUG OBJECT}, which many deployments disable; with its default sampling it costs about as
 * little for a big hash as for a string.
 */
final class KeySizes {
  private static final byte[] MEMORY = {'M', 'E', 'M', 'O', 'R', 'Y'};
  private static final byte[] USAGE = {'U', 'S', 'A', 'G', 'E'};

  private KeySizes() {}

  /**
   * Sizes in bytes in key order: 0 for a key that no longer exists, -1 where the server refused to
   * tell (a renamed or forbidden command), which callers treat as "unknown" rather than as a failure.
   */
  static long[] read(RespConnection c, List<byte[]> keys, long replyWaitNanos)
      throws IOException, InterruptedException {
    for (byte[] key : keys) {
      c.send(MEMORY, USAGE, key);
    }
    c.flush();
    long[] sizes = new long[keys.size()];
    for (int i = 0; i < sizes.length; i++) {
      RespValue r = c.read(replyWaitNanos, () -> false);
      sizes[i] = r instanceof RespValue.Integer n ? n.value() : r instanceof RespValue.Error ? -1 : 0;
    }
    return sizes;
  }
}
